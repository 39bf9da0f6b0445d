"""Progressive billing's state: one row per subscription and billing period, and one per
threshold crossing.

``billing_periods`` holds a period's money usage so far (``usage_minor``: the sum of its money
charges, each rounded once, kept up to date by the ingest transaction), what threshold
invoices billed of it (``billed_minor``) and the highest threshold level invoiced
(``level_minor``). The ingest locks the row while it decides, so two batches cannot both cross
the same threshold. ``closed_at`` is set when the period-end invoice is made.

``threshold_crossings`` records each crossing with the period's usage at that moment (a
snapshot of every money charge's quantity and amount): the ``billing.invoice_threshold`` job
turns it into the threshold invoice, once (``invoice_id``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.db.types import fk, id_field, timestamp


class BillingPeriod(SQLModel, table=True):
    __tablename__ = "billing_periods"
    __table_args__ = (UniqueConstraint("subscription_id", "period_start"),)

    id: int | None = id_field()
    subscription_id: int = fk("subscriptions.id", index=False)
    period_start: datetime = timestamp()
    period_end: datetime = timestamp()
    usage_minor: int = Field(default=0, sa_type=BigInteger)
    billed_minor: int = Field(default=0, sa_type=BigInteger)
    level_minor: int = Field(default=0, sa_type=BigInteger)
    closed_at: datetime | None = timestamp(nullable=True)
    invoice_id: int | None = fk("invoices.id", nullable=True, index=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class ThresholdCrossing(SQLModel, table=True):
    __tablename__ = "threshold_crossings"
    __table_args__ = (UniqueConstraint("period_id", "level_minor"),)

    id: int | None = id_field()
    period_id: int = fk("billing_periods.id", index=False)
    level_minor: int = Field(sa_type=BigInteger)  # the threshold level crossed
    usage_minor: int = Field(sa_type=BigInteger)  # the period's money usage at the crossing
    billed_before_minor: int = Field(sa_type=BigInteger)  # billed by earlier crossings
    # [{"metric_id", "quantity" (text), "events", "amount_minor"}, …] at the crossing
    usage: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    invoice_id: int | None = fk("invoices.id", nullable=True, index=False)
    created_at: datetime = timestamp()


class InAdvanceFees(SQLModel, table=True):
    """The pay-in-advance fees one ingest batch added to one subscription's period, written by
    the ingest transaction; the ``billing.invoice_in_advance`` job makes their invoice (once)."""

    __tablename__ = "in_advance_fees"
    __table_args__ = (UniqueConstraint("subscription_id", "batch_id", "period_start"),)

    id: int | None = id_field()
    subscription_id: int = fk("subscriptions.id", index=False)
    batch_id: int = Field(sa_type=BigInteger)  # the ingest batch (event_batches.id)
    period_start: datetime = timestamp()
    period_end: datetime = timestamp()
    # [{"metric_id", "transaction_id", "units" (text), "position", "amount_minor"}, …]
    fees: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSONB)
    invoice_id: int | None = fk("invoices.id", nullable=True, index=False)
    created_at: datetime = timestamp()
