"""Billable metrics and the events they count.

``events`` is an append-only log written at tens of thousands of rows a second, so it carries
only what the hot path needs: the primary key ``transaction_id`` (idempotency, compared
bytewise) and a BRIN index on ``timestamp`` (time-range scans; nearly free to maintain). No
foreign keys (their checks would cost a lookup and a row lock per event): the ingest path
resolves every customer and metric in the transaction that stores the event, and neither is
ever deleted. Period totals live in ``subscription_usage``, so nothing on the hot path reads
events back. The console's events explorer lists one customer's events through
``ix_events_customer_timestamp`` (customer, time); the unfiltered list is a top-N sort.

``rejected_events`` keeps the events a batch refused (a few columns and the event's JSON, cut
to ``RAW_MAX`` characters), written with the batch and only when something was refused.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.db.types import enum_field, fk, id_field, timestamp

CODE_MAX = 100
NAME_MAX = 255
LABEL_MAX = 100
PROPERTY_MAX = 255
TRANSACTION_ID_MAX = 255


class Aggregation(StrEnum):
    COUNT = "count"  # number of events
    SUM = "sum"  # sum of a numeric property
    MAX = "max"  # largest value of a numeric property in the period
    UNIQUE_COUNT = "unique_count"  # number of distinct values of a property in the period
    LATEST = "latest"  # value of a numeric property on the latest event of the period


class BillableMetric(SQLModel, table=True):
    """What is counted, and how its units read: "10 reports generated"."""

    __tablename__ = "billable_metrics"

    id: int | None = id_field()
    code: str = Field(max_length=CODE_MAX, unique=True)
    name: str = Field(max_length=NAME_MAX)
    description: str = Field(default="", max_length=500)
    unit_singular: str = Field(max_length=LABEL_MAX)
    unit_plural: str = Field(max_length=LABEL_MAX)
    aggregation: Aggregation = enum_field(Aggregation)
    property: str | None = Field(default=None, max_length=PROPERTY_MAX)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class EventBatch(SQLModel, table=True):
    """One ingest request: the cause a ledger entry of its debits points at."""

    __tablename__ = "event_batches"

    id: int | None = id_field()
    source: str = Field(max_length=16)  # "http" or "graphql"
    api_key_id: int | None = fk("api_keys.id", index=False, nullable=True)
    received_at: datetime = timestamp()


class Event(SQLModel, table=True):
    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_timestamp", "timestamp", postgresql_using="brin"),
        Index("ix_events_customer_timestamp", "customer_id", "timestamp"),
    )

    # The idempotency key is the primary key, compared bytewise (COLLATE "C").
    transaction_id: str = Field(primary_key=True, sa_type=String(TRANSACTION_ID_MAX, collation="C"))
    batch_id: int = Field(sa_type=BigInteger)
    customer_id: int = Field(sa_type=BigInteger)
    metric_id: int = Field(sa_type=BigInteger)
    timestamp: datetime = timestamp()
    properties: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)


RAW_MAX = 4096
EXTERNAL_ID_MAX = 255
MESSAGE_MAX = 1000


class RejectedEvent(SQLModel, table=True):
    """An event a batch refused, with why (its field and message) and what was sent."""

    __tablename__ = "rejected_events"

    id: int | None = id_field()
    received_at: datetime = timestamp()
    source: str = Field(max_length=16)  # "rest" or "graphql"
    api_key_id: int | None = fk("api_keys.id", index=False, nullable=True)
    transaction_id: str | None = Field(default=None, max_length=TRANSACTION_ID_MAX)
    customer_external_id: str | None = Field(default=None, max_length=EXTERNAL_ID_MAX)
    metric_code: str | None = Field(default=None, max_length=CODE_MAX)
    code: str = Field(max_length=LABEL_MAX)
    field: str | None = Field(default=None, max_length=LABEL_MAX)
    message: str = Field(max_length=MESSAGE_MAX)
    raw: str = Field(sa_type=Text)  # the event's JSON, cut to RAW_MAX characters
