from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.db.types import enum_field, id_field, timestamp

SUMMARY_MAX = 1000


class ActorKind(StrEnum):
    OPERATOR = "operator"  # a person in the console
    API_KEY = "api_key"  # a backend calling the API
    CUSTOMER = "customer"  # a customer token (the portal, a customer's browser)
    SYSTEM = "system"  # the CLI and scheduled work


class AuditEntry(SQLModel, table=True):
    """One action. Written in the same transaction as the action, so it exists iff the action
    does; ``dedupe_key`` (action + idempotency key) keeps a retried request to one line."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_customer", "customer_external_id", text("id DESC")),
        Index(
            "ux_audit_log_dedupe",
            "dedupe_key",
            unique=True,
            postgresql_where=text("dedupe_key IS NOT NULL"),
        ),
    )

    id: int | None = id_field()
    created_at: datetime = timestamp()
    actor_kind: ActorKind = enum_field(ActorKind)
    actor_id: str | None = Field(default=None, max_length=64)
    actor_name: str = Field(max_length=320)
    action: str = Field(max_length=100)
    customer_external_id: str | None = Field(default=None, max_length=255)
    summary: str = Field(max_length=SUMMARY_MAX)
    reason: str | None = Field(default=None, max_length=500)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    dedupe_key: str | None = Field(default=None, max_length=400)
