"""Webhook endpoints, the events Tally announced, and one delivery per (event, endpoint).

A delivery is ``pending`` until an attempt succeeds (``succeeded``) or the last attempt fails
(``failed``); ``next_attempt_at`` says when a pending one is tried again. A manual replay is a
new delivery of the same event (``replay_of`` names the one replayed).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, String, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from app.db.types import enum_field, fk, id_field, timestamp

EVENT_TYPES = (
    "wallet.updated",
    "wallet.depleted",
    "wallet.recharged",
    "alert.triggered",
    "invoice.created",
    "invoice.paid",
    "invoice.payment_failed",
    "subscription.threshold_reached",
    "subscription.suspended",
    "subscription.terminated",
    "subscription.plan_switched",
    "credits.expiring",
    "wallet.runway_low",
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class WebhookEndpoint(SQLModel, table=True):
    __tablename__ = "webhook_endpoints"

    id: int | None = id_field()
    url: str = Field(max_length=2048)
    secret: str = Field(max_length=255)  # kept as is: it signs every delivery
    event_types: list[str] = Field(sa_type=ARRAY(String(64)))
    description: str = Field(default="", max_length=500)
    active: bool = True
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class WebhookEvent(SQLModel, table=True):
    __tablename__ = "webhook_events"

    id: int | None = id_field()
    public_id: str = Field(max_length=64, unique=True)  # "evt_…", the payload's "id"
    key: str | None = Field(default=None, max_length=300, unique=True)  # the emitter's dedupe key
    type: str = Field(max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    created_at: datetime = timestamp()


class WebhookDelivery(SQLModel, table=True):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_endpoint_id_desc", "endpoint_id", text("id DESC")),
    )

    id: int | None = id_field()
    endpoint_id: int = Field(
        foreign_key="webhook_endpoints.id", ondelete="CASCADE", sa_type=BigInteger
    )
    event_id: int = fk("webhook_events.id")
    status: DeliveryStatus = enum_field(DeliveryStatus)
    attempts: int = 0
    response_code: int | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime | None = timestamp(nullable=True)
    last_attempt_at: datetime | None = timestamp(nullable=True)
    replay_of: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = timestamp()
