"""A refund: a credit note on a credit-purchase invoice. It voids unused purchased credits
(one ``refund`` ledger entry, in the same transaction) and returns their money through the
payment provider that collected the invoice (the ``payments.refund`` job)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Index
from sqlmodel import Field, SQLModel

from app.db.types import CREDITS, enum_field, fk, id_field, timestamp


class RefundStatus(StrEnum):
    PENDING = "pending"  # credits voided; the money is not sent to the provider yet
    PROCESSING = "processing"  # sent; the provider's final answer is not known yet
    SUCCEEDED = "succeeded"  # the provider returned the money (or there was none to return)
    FAILED = "failed"  # the provider refused: the money is owed outside Tally
    OFFLINE = "offline"  # the invoice was paid outside the provider: return it the same way


SETTLED = (RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.OFFLINE)


class Refund(SQLModel, table=True):
    __tablename__ = "refunds"
    __table_args__ = (
        Index("ix_refunds_invoice_id", "invoice_id", "id"),
        Index("ix_refunds_wallet_id", "wallet_id", "id"),
    )

    id: int | None = id_field()
    number: str = Field(max_length=32, unique=True)  # the credit note's number: CN-000001
    invoice_id: int = fk("invoices.id", index=False)
    wallet_id: int = fk("wallets.id", index=False)
    customer_id: int = fk("customers.id", index=False)
    grant_id: int = fk("grants.id", index=False)  # the purchase's paid grant
    credits: Decimal = Field(sa_type=CREDITS)  # paid credits refunded
    bonus_credits: Decimal = Field(sa_type=CREDITS)  # the bundle's free bonus voided with them
    amount_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    reason: str = Field(max_length=500)
    status: RefundStatus = enum_field(RefundStatus)
    payment_id: int | None = fk("payments.id", nullable=True, index=False)
    provider: str | None = Field(default=None, max_length=32)
    provider_reference: str | None = Field(default=None, max_length=255)
    failure_reason: str | None = Field(default=None, max_length=500)
    attempts: int = 0
    entry_id: int = fk("ledger_entries.id", index=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    refunded_at: datetime | None = timestamp(nullable=True)
