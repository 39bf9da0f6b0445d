"""Wallets, grants (credit blocks), the append-only ledger, bundles and the signup bonus.

Invariant (tested): wallet.balance == sum(ledger.credits) == sum(grant.remaining) - wallet.debt
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, UniqueConstraint, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.db.types import CREDITS, RATE, credits_field, enum_field, fk, id_field, timestamp


class DepletionPolicy(StrEnum):
    BLOCK = "block"  # access stops at 0
    OVERDRAFT = "overdraft"  # access continues down to -overdraft_limit
    ALLOW = "allow"  # access never stops; debt is invoiced later


class GrantKind(StrEnum):
    PAID = "paid"
    FREE = "free"


class GrantSource(StrEnum):
    PURCHASE = "purchase"
    BUNDLE = "bundle"
    AUTO_RECHARGE = "auto_recharge"
    INTERVAL = "interval"
    SIGNUP_BONUS = "signup_bonus"
    REWARD = "reward"
    MANUAL = "manual"
    ROLLOVER = "rollover"


class EntryKind(StrEnum):
    GRANT = "grant"
    PURCHASE = "purchase"
    CONSUMPTION = "consumption"
    VOID = "void"
    EXPIRY = "expiry"
    ROLLOVER = "rollover"
    ADJUSTMENT = "adjustment"
    REFUND = "refund"  # purchased credits voided by a refund (app/recharge/refunds.py)


class RolloverPolicy(StrEnum):
    """What happens to unused credits at a wallet's period boundary (FEATURES §2)."""

    EXPIRE_AT_PERIOD_END = "expire_at_period_end"  # use it or lose it
    ROLLOVER_WITH_EXPIRY = "rollover_with_expiry"  # carried over, expire N months after granted
    ROLLOVER = "rollover"  # carried over, never expire (the grant's own expiry still holds)


def _optional_policy() -> Any:
    """A nullable rollover-policy column (the VARCHAR enum of ``enum_field``)."""
    column_type = SAEnum(
        RolloverPolicy,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )
    return Field(default=None, sa_type=column_type, nullable=True)


class CauseType(StrEnum):
    OPERATOR = "operator"
    API = "api"
    EVENT_BATCH = "event_batch"
    INVOICE = "invoice"
    PAYMENT = "payment"
    SYSTEM = "system"


class Wallet(SQLModel, table=True):
    __tablename__ = "wallets"
    __table_args__ = (
        UniqueConstraint("customer_id", "currency"),
        # The rollover sweep: wallets whose next period boundary has passed.
        Index(
            "ix_wallets_next_boundary",
            "next_boundary",
            postgresql_where=text("next_boundary IS NOT NULL"),
        ),
    )

    id: int | None = id_field()
    customer_id: int = fk("customers.id")
    currency: str = Field(max_length=3)
    rate: Decimal = Field(sa_type=RATE)
    policy: DepletionPolicy = enum_field(DepletionPolicy, DepletionPolicy.ALLOW)
    overdraft_limit: Decimal = credits_field(Decimal(0))
    balance: Decimal = credits_field(Decimal(0))
    debt: Decimal = credits_field(Decimal(0))
    # Balance right after the latest credit addition: the base of percentage alerts.
    reference_balance: Decimal = credits_field(Decimal(0))
    # Rollover policy (the default of its grants; None: credits live until their own expiry).
    rollover_policy: RolloverPolicy | None = _optional_policy()
    rollover_months: int | None = Field(default=None, sa_type=Integer)
    rollover_cap: Decimal | None = credits_field(nullable=True)
    # Period boundaries: period_anchor + k * period_months months (app/wallets/rollover.py).
    period_anchor: datetime | None = timestamp(nullable=True)
    period_months: int = Field(default=1, sa_type=Integer)
    boundary_index: int = Field(default=0, sa_type=Integer)
    next_boundary: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Grant(SQLModel, table=True):
    __tablename__ = "grants"
    __table_args__ = (
        Index(
            "ix_grants_burn_order",
            "wallet_id",
            "priority",
            "expires_at",
            "kind",
            "id",
            postgresql_where=text("remaining > 0"),
        ),
        Index("ix_grants_wallet_id", "wallet_id", "id"),
    )

    id: int | None = id_field()
    wallet_id: int = fk("wallets.id", index=False)
    kind: GrantKind = enum_field(GrantKind)
    source: GrantSource = enum_field(GrantSource)
    amount: Decimal = Field(sa_type=CREDITS)
    remaining: Decimal = Field(sa_type=CREDITS)
    priority: int = Field(default=50, sa_type=Integer)
    expires_at: datetime | None = timestamp(nullable=True)
    # What was paid for a paid grant, in the wallet currency's minor units (revenue accounting).
    cost_minor: int | None = Field(default=None, sa_type=BigInteger)
    description: str = Field(default="", max_length=500)
    # A per-grant override of the wallet's rollover policy (None: the wallet's).
    rollover_policy: RolloverPolicy | None = _optional_policy()
    rollover_months: int | None = Field(default=None, sa_type=Integer)
    rollover_cap: Decimal | None = credits_field(nullable=True)
    # A rollover grant: the grant whose unused credits it carries over.
    rolled_from: int | None = fk("grants.id", nullable=True, index=False)
    created_at: datetime = timestamp()


class LedgerEntry(SQLModel, table=True):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_wallet_id_desc", "wallet_id", text("id DESC")),
        Index("ix_ledger_wallet_created", "wallet_id", "created_at", "id"),  # statements
    )

    id: int | None = id_field()
    wallet_id: int = fk("wallets.id", index=False)
    kind: EntryKind = enum_field(EntryKind)
    credits: Decimal = Field(sa_type=CREDITS)  # signed delta
    balance_after: Decimal = Field(sa_type=CREDITS)
    grant_id: int | None = fk("grants.id", nullable=True, index=False)
    cause_type: CauseType = enum_field(CauseType)
    cause_id: str | None = Field(default=None, max_length=255)
    description: str = Field(max_length=500)
    # Value translation: "−500 credits · 10 reports generated".
    metric_code: str | None = Field(default=None, max_length=255)
    units: Decimal | None = credits_field(nullable=True)
    unit_label: str | None = Field(default=None, max_length=255)
    created_at: datetime = timestamp()


class LedgerAllocation(SQLModel, table=True):
    """Which grants a debit (consumption, void) drew from, and how much from each."""

    __tablename__ = "ledger_allocations"

    entry_id: int = Field(foreign_key="ledger_entries.id", primary_key=True, sa_type=BigInteger)
    grant_id: int = Field(foreign_key="grants.id", primary_key=True, sa_type=BigInteger, index=True)
    credits: Decimal = Field(sa_type=CREDITS)


class Bundle(SQLModel, table=True):
    """A catalog pack: "Starter Pack: 5,000 credits for 50.00 USD"."""

    __tablename__ = "bundles"

    id: int | None = id_field()
    code: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=255)
    credits: Decimal = Field(sa_type=CREDITS)
    bonus_credits: Decimal = credits_field(Decimal(0))
    price_minor: int = Field(sa_type=BigInteger)
    currency: str = Field(max_length=3)
    active: bool = True
    created_at: datetime = timestamp()


class SignupBonus(SQLModel, table=True):
    """Free credits granted when a customer's first wallet is created (one row, id = 1)."""

    __tablename__ = "signup_bonus"

    id: int = Field(default=1, primary_key=True)
    credits: Decimal = credits_field(Decimal(0))
    expires_in_days: int | None = None
    updated_at: datetime = timestamp()
