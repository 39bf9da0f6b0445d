from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from app.db.types import id_field, timestamp


class Scope(StrEnum):
    ADMIN = "admin"
    INGEST = "ingest"
    READ = "read"


class ApiKey(SQLModel, table=True):
    """An API key is shown once; only its SHA-256 digest is stored (it has 256 bits of entropy,
    so a slow password hash would add latency to every request and no security)."""

    __tablename__ = "api_keys"

    id: int | None = id_field()
    name: str = Field(max_length=255)
    prefix: str = Field(max_length=16)
    digest: str = Field(max_length=64, unique=True)
    scopes: list[str] = Field(sa_type=ARRAY(String(16)))
    created_at: datetime = timestamp()
    revoked_at: datetime | None = timestamp(nullable=True)
