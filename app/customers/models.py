from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, func, literal_column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.db.types import id_field, timestamp

EXTERNAL_ID_MAX = 255
NAME_MAX = 255
EMAIL_MAX = 320


class Customer(SQLModel, table=True):
    __tablename__ = "customers"
    __table_args__ = (
        Index(
            "ix_customers_search",
            func.lower(literal_column("name")).label("name_lower"),
            postgresql_ops={"name_lower": "text_pattern_ops"},
        ),
    )

    id: int | None = id_field()
    external_id: str = Field(max_length=EXTERNAL_ID_MAX, unique=True)
    name: str = Field(max_length=NAME_MAX)
    billing_email: str | None = Field(default=None, max_length=EMAIL_MAX)
    currency: str = Field(max_length=3)
    metadata_: dict[str, Any] = Field(
        default_factory=dict, sa_type=JSONB, sa_column_kwargs={"name": "metadata"}
    )
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
