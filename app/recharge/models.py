from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import BigInteger, Index, text
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.db.types import CREDITS, credits_field, enum_field, fk, id_field, timestamp
from app.invoices import PERCENT


class RechargeTrigger(StrEnum):
    MANUAL = "manual"  # a top-up request
    THRESHOLD = "threshold"
    INTERVAL = "interval"


class RechargeStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"  # an auto-recharge a guard stopped before it was invoiced


class RuleTrigger(StrEnum):
    THRESHOLD = "threshold"  # when the balance is at or below the trigger balance
    INTERVAL = "interval"  # every week or month, on the scheduler


class RuleMethod(StrEnum):
    FIXED = "fixed"  # buy ``credits``
    TARGET = "target"  # top up to ``credits`` (one charge, however deep the deficit)


class RuleInterval(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class Recharge(SQLModel, table=True):
    __tablename__ = "recharges"
    __table_args__ = (
        Index(
            "uq_recharges_in_flight",
            "wallet_id",
            unique=True,
            postgresql_where=text("rule_id IS NOT NULL AND status = 'pending'"),
        ),
        Index("ix_recharges_wallet_id", "wallet_id", "id"),
        Index("ix_recharges_rule_created", "rule_id", "created_at"),
    )

    id: int | None = id_field()
    wallet_id: int = fk("wallets.id", index=False)
    invoice_id: int | None = Field(
        default=None, foreign_key="invoices.id", sa_type=BigInteger, unique=True
    )
    rule_id: int | None = fk("recharge_rules.id", nullable=True, index=False)
    trigger: RechargeTrigger = enum_field(RechargeTrigger)
    credits: Decimal = Field(sa_type=CREDITS)  # paid credits
    bonus_credits: Decimal = credits_field(Decimal(0))  # free credits of a bundle
    bundle_id: int | None = fk("bundles.id", nullable=True, index=False)
    discount_percent: Decimal = Field(default=Decimal(0), sa_type=PERCENT)
    status: RechargeStatus = enum_field(RechargeStatus, RechargeStatus.PENDING)
    failure_reason: str | None = Field(default=None, max_length=500)
    granted_at: datetime | None = timestamp(nullable=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
    settled_at: datetime | None = timestamp(nullable=True)


class TopUpOptions(SQLModel, table=True):
    """A wallet's top-up options (a wallet without a row has the defaults)."""

    __tablename__ = "top_up_options"

    wallet_id: int = Field(foreign_key="wallets.id", primary_key=True, sa_type=BigInteger)
    grant_before_payment: bool = False
    # The customer may turn the wallet's auto-recharge rule on and off (portal, customer token).
    customer_switches_auto_recharge: bool = False
    updated_at: datetime = timestamp()


class RechargeRule(SQLModel, table=True):
    """A wallet's auto-recharge rule (one per wallet)."""

    __tablename__ = "recharge_rules"

    id: int | None = id_field()
    wallet_id: int = Field(foreign_key="wallets.id", sa_type=BigInteger, unique=True)
    trigger: RuleTrigger = enum_field(RuleTrigger)
    # The trigger balance of a THRESHOLD rule (the column and the API keep the word).
    threshold: Decimal | None = credits_field(nullable=True)
    interval: RuleInterval | None = Field(
        default=None,
        sa_type=SAEnum(
            RuleInterval,
            native_enum=False,
            length=24,
            values_callable=lambda members: [m.value for m in members],
        ),
        nullable=True,
    )
    method: RuleMethod = enum_field(RuleMethod)
    credits: Decimal = Field(sa_type=CREDITS)  # what to buy (fixed) or the target balance
    discount_percent: Decimal = Field(default=Decimal(0), sa_type=PERCENT)
    cooldown_seconds: int = 600
    monthly_max_recharges: int | None = None
    monthly_max_amount_minor: int | None = Field(default=None, sa_type=BigInteger)
    payment_method_id: int | None = fk("payment_methods.id", nullable=True, index=False)
    enabled: bool = True
    consecutive_failures: int = 0
    disabled_reason: str | None = Field(default=None, max_length=500)
    last_triggered_at: datetime | None = timestamp(nullable=True)
    # Interval rules run at anchor + k weeks or months (the anchor is when the rule was set).
    anchor_at: datetime | None = timestamp(nullable=True)
    next_run_at: datetime | None = timestamp(nullable=True, index=True)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()
