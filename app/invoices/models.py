from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Index, Integer, Numeric, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.db.types import CREDITS, RATE, enum_field, fk, id_field, timestamp

PERCENT = Numeric(5, 2, asdecimal=True)


class InvoiceType(StrEnum):
    CREDIT_PURCHASE = "credit_purchase"
    THRESHOLD = "threshold"
    PERIOD_END = "period_end"
    IN_ADVANCE = "in_advance"  # pay-in-advance charges: one per ingest batch and subscription


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    FINALIZED = "finalized"
    PAID = "paid"
    VOID = "void"


class InvoicePaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class InvoiceSequence(SQLModel, table=True):
    """The last number given out in a series; its row lock makes numbering gapless."""

    __tablename__ = "invoice_sequences"

    series: str = Field(primary_key=True, max_length=16)
    last_number: int = Field(default=0, sa_type=BigInteger)


class Invoice(SQLModel, table=True):
    __tablename__ = "invoices"
    __table_args__ = (
        Index("ix_invoices_customer_id_id", "customer_id", "id"),
        # One period-end invoice per subscription and period.
        Index(
            "uq_invoices_period_end",
            "subscription_id",
            "period_start",
            unique=True,
            postgresql_where=text("type = 'period_end'"),
        ),
        # The overdue sweep: finalized usage invoices nobody has found overdue yet.
        Index(
            "ix_invoices_overdue",
            "due_at",
            postgresql_where=text(
                "status = 'finalized' AND overdue_at IS NULL AND subscription_id IS NOT NULL"
            ),
        ),
    )

    id: int | None = id_field()
    number: str | None = Field(default=None, max_length=32, unique=True)
    customer_id: int = fk("customers.id", index=False)
    # The wallet a credit purchase fills (None for usage invoices).
    wallet_id: int | None = fk("wallets.id", nullable=True)
    type: InvoiceType = enum_field(InvoiceType)
    status: InvoiceStatus = enum_field(InvoiceStatus, InvoiceStatus.DRAFT)
    payment_status: InvoicePaymentStatus = enum_field(
        InvoicePaymentStatus, InvoicePaymentStatus.PENDING
    )
    currency: str = Field(max_length=3)
    total_minor: int = Field(default=0, sa_type=BigInteger)
    finalized_at: datetime | None = timestamp(nullable=True)
    due_at: datetime | None = timestamp(nullable=True, index=True)
    paid_at: datetime | None = timestamp(nullable=True)
    voided_at: datetime | None = timestamp(nullable=True)
    void_reason: str | None = Field(default=None, max_length=500)
    # Usage invoices (threshold, period_end): the subscription, its billing period, the
    # threshold level a threshold invoice was issued at, and when it was found overdue.
    subscription_id: int | None = fk("subscriptions.id", nullable=True)
    period_start: datetime | None = timestamp(nullable=True)
    period_end: datetime | None = timestamp(nullable=True)
    threshold_minor: int | None = Field(default=None, sa_type=BigInteger)
    overdue_at: datetime | None = timestamp(nullable=True)
    # Credits taken from the wallet to pay it (when paid with credits).
    credits_paid: Decimal | None = Field(default=None, sa_type=CREDITS)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class InvoiceLine(SQLModel, table=True):
    """``amount_minor`` = quantity × unit price × (1 − discount), rounded once (half-up)."""

    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: int | None = id_field()
    invoice_id: int = fk("invoices.id", index=False)
    position: int = Field(sa_type=Integer)
    description: str = Field(max_length=500)
    quantity: Decimal = Field(sa_type=CREDITS)
    unit_price: Decimal = Field(sa_type=RATE)  # major units of the invoice's currency
    discount_percent: Decimal = Field(default=Decimal(0), sa_type=PERCENT)
    amount_minor: int = Field(sa_type=BigInteger)
