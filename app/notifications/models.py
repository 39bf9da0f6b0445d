"""Every email Tally writes, with its rendered bodies and what became of it.

status: ``queued`` (waiting for its next attempt), ``sent``, ``failed`` (given up, see
``last_error``) or ``recorded`` (no SMTP server configured: kept and shown, never sent).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Index, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.db.types import enum_field, fk, id_field, timestamp


class EmailStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    RECORDED = "recorded"


class Email(SQLModel, table=True):
    __tablename__ = "emails"
    __table_args__ = (Index("ix_emails_customer_id_desc", "customer_id", text("id DESC")),)

    id: int | None = id_field()
    customer_id: int | None = fk("customers.id", nullable=True, index=False)
    to_address: str = Field(max_length=320)
    subject: str = Field(max_length=500)
    template: str = Field(max_length=100)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    text_body: str = Field(default="", sa_type=Text)
    html_body: str = Field(default="", sa_type=Text)
    status: EmailStatus = enum_field(EmailStatus)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime | None = timestamp(nullable=True)
    # The caller's idempotency key (one per recipient): a repeated request adds no email.
    key: str | None = Field(default=None, max_length=300, unique=True)
    created_at: datetime = timestamp()
    sent_at: datetime | None = timestamp(nullable=True)
