from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.db.types import enum_field, fk, id_field, timestamp


class PaymentStatus(StrEnum):
    PENDING = "pending"  # created, not yet sent to the provider
    PROCESSING = "processing"  # sent; the provider's final answer is not known yet
    SUCCEEDED = "succeeded"
    FAILED = "failed"


FINISHED = (PaymentStatus.SUCCEEDED, PaymentStatus.FAILED)


class PaymentMethod(SQLModel, table=True):
    """A customer's way to pay, by reference only (a provider id, never card data)."""

    __tablename__ = "payment_methods"
    __table_args__ = (
        UniqueConstraint("customer_id", "provider", "reference"),
        Index(
            "uq_payment_methods_default",
            "customer_id",
            unique=True,
            postgresql_where=text("is_default"),
        ),
    )

    id: int | None = id_field()
    customer_id: int = fk("customers.id", index=False)
    provider: str = Field(max_length=32)
    reference: str = Field(max_length=255)  # "pm_sandbox_ok", Stripe's "pm_…"
    provider_customer: str | None = Field(default=None, max_length=255)  # Stripe's "cus_…"
    label: str = Field(default="", max_length=255)
    is_default: bool = False
    created_at: datetime = timestamp()


class Payment(SQLModel, table=True):
    """One attempt to collect an invoice through a provider."""

    __tablename__ = "payments"
    __table_args__ = (
        Index(
            "uq_payments_in_flight",
            "invoice_id",
            unique=True,
            postgresql_where=text("status IN ('pending', 'processing')"),
        ),
        Index(
            "uq_payments_succeeded",
            "invoice_id",
            unique=True,
            postgresql_where=text("status = 'succeeded'"),
        ),
        Index("ix_payments_provider_reference", "provider", "provider_reference"),
    )

    id: int | None = id_field()
    invoice_id: int = fk("invoices.id")
    payment_method_id: int = fk("payment_methods.id", index=False)
    provider: str = Field(max_length=32)
    provider_reference: str | None = Field(default=None, max_length=255)
    amount_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    status: PaymentStatus = enum_field(PaymentStatus, PaymentStatus.PENDING)
    failure_reason: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    settled_at: datetime | None = timestamp(nullable=True)
