from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.db.types import enum_field, id_field, timestamp


class OutboxKind(StrEnum):
    JOB = "job"  # a Dramatiq message: topic is the actor name ("<domain>.<verb>")
    LIVE = "live"  # a live message: topic is the bus channel


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "available_at", postgresql_where=text("dispatched_at IS NULL")),
    )

    id: int | None = id_field()
    kind: OutboxKind = enum_field(OutboxKind)
    topic: str = Field(max_length=255)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    created_at: datetime = timestamp()
    available_at: datetime = timestamp()
    dispatched_at: datetime | None = timestamp(nullable=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=500)
