"""Plans, their charges, subscriptions and period-to-date usage.

A charge prices one metric, in **credits** (debited from the wallet as events arrive) or in
**money** (accrued to the period and invoiced: at thresholds and at the period end). Money
models: ``per_unit`` (flat), ``package``, ``graduated``, ``volume`` and ``graduated_percentage``
(tiers in ``charge_tiers``), ``percentage`` (of a summed property, plus a fee per event), with
free units and events, per-transaction bounds and pay in advance; see ``money_pricing``.
A plan may also carry a base fee and usage thresholds (minor units; a
subscription may override the thresholds: ``threshold_amounts`` NULL means "the plan's").

``subscription_usage`` holds, per subscription, metric and billing period, the period-to-date
quantity, maintained in the ingest transaction: added for count / sum / unique_count, raised
for max, replaced by the newest event for latest. ``billed`` is the quantity already debited
(for latest, the highest value seen: credits are not refunded when a gauge falls, and the bill
does not depend on batching or arrival order) and ``credits`` what was debited for it.
``events`` counts the period's events; for a money charge ``money_minor`` is what the period's
quantity came to when it was last priced (progressive billing adds up the changes); a charge
priced event by event (pay in advance, percentage with per-event rules) keeps the exact sum of
its events' amounts in ``accrued``.
``usage_unique_values`` remembers the values a unique_count has seen.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    ARRAY,
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel

from app.db.types import CREDITS, RATE, credits_field, enum_field, fk, id_field, timestamp

QUANTITY = Numeric(asdecimal=True)  # exact, unbounded: sums of fractional properties
PERCENT = Numeric(7, 4, asdecimal=True)
MINOR_ARRAY = ARRAY(BigInteger)


class BillingInterval(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"  # 3 months
    SEMIANNUAL = "semiannual"  # 6 months
    YEARLY = "yearly"


class ChargePricing(StrEnum):
    CREDITS = "credits"  # debited from the wallet in the ingest transaction
    MONEY = "money"  # accrued to the period, invoiced


class ChargeModel(StrEnum):
    PER_UNIT = "per_unit"  # price × units (the flat model)
    PACKAGE = "package"  # price per started package of ``package_size`` units
    GRADUATED = "graduated"  # money: each tier prices its own units
    VOLUME = "volume"  # money: the tier of the total prices every unit
    PERCENTAGE = "percentage"  # money: a percentage of a summed property, a fee per event
    GRADUATED_PERCENTAGE = "graduated_percentage"  # money: a rate per tier of the summed amount


CREDIT_MODELS = frozenset({ChargeModel.PER_UNIT, ChargeModel.PACKAGE})
TIERED_MODELS = frozenset(
    {ChargeModel.GRADUATED, ChargeModel.VOLUME, ChargeModel.GRADUATED_PERCENTAGE}
)
# Models whose free units come off the quantity before it is priced.
FREE_UNIT_MODELS = frozenset({ChargeModel.PER_UNIT, ChargeModel.PACKAGE, ChargeModel.PERCENTAGE})


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class SuspensionReason(StrEnum):
    OPERATOR = "operator"
    OVERDUE_INVOICE = "overdue_invoice"


def _nullable_enum(enum: type[StrEnum]) -> SAEnum:
    """The VARCHAR enum of ``enum_field``, for a column that may be NULL."""
    return SAEnum(
        enum,
        native_enum=False,
        length=24,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Plan(SQLModel, table=True):
    __tablename__ = "plans"

    id: int | None = id_field()
    code: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=255)
    description: str = Field(default="", max_length=500)
    currency: str = Field(max_length=3)
    interval: BillingInterval = enum_field(BillingInterval)
    # Billed with the period-end invoice, in minor units of ``currency``.
    base_fee_minor: int = Field(default=0, sa_type=BigInteger)
    # Usage thresholds (minor units): amounts, and the recurring step after the highest.
    threshold_amounts: list[int] = Field(default_factory=list, sa_type=MINOR_ARRAY)
    threshold_recurring: int | None = Field(default=None, sa_type=BigInteger)
    # The least a period bills (base fee and usage, minor units; 0: none): a true-up line
    # bills the rest at the period's end.
    commitment_minor: int = Field(
        default=0, sa_type=BigInteger, sa_column_kwargs={"server_default": "0"}
    )
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class Charge(SQLModel, table=True):
    __tablename__ = "charges"
    __table_args__ = (
        UniqueConstraint("plan_id", "metric_id"),
        CheckConstraint(
            "pricing <> 'credits' OR credit_price IS NOT NULL", name="ck_charges_credit_price"
        ),
        CheckConstraint("package_size >= 1", name="ck_charges_package_size"),
        CheckConstraint(
            "pricing <> 'money' OR model NOT IN ('per_unit', 'package') OR unit_price IS NOT NULL",
            name="ck_charges_unit_price",
        ),
        CheckConstraint(
            "percentage IS NULL OR percentage BETWEEN 0 AND 100", name="ck_charges_percentage"
        ),
        CheckConstraint("free_units >= 0 AND free_events >= 0", name="ck_charges_free"),
        CheckConstraint(
            "min_per_transaction IS NULL OR max_per_transaction IS NULL "
            "OR min_per_transaction <= max_per_transaction",
            name="ck_charges_per_transaction",
        ),
    )

    id: int | None = id_field()
    plan_id: int = fk("plans.id", index=False)
    metric_id: int = fk("billable_metrics.id")
    pricing: ChargePricing = enum_field(ChargePricing, ChargePricing.CREDITS)
    model: ChargeModel = enum_field(ChargeModel, ChargeModel.PER_UNIT)
    # Credits per unit (per_unit) or per started package (package).
    credit_price: Decimal | None = credits_field(nullable=True)
    package_size: int = Field(default=1, sa_type=Integer)
    # Money (major units of the plan's currency): per unit or package, and for percentage.
    unit_price: Decimal | None = Field(default=None, sa_type=RATE)
    percentage: Decimal | None = Field(default=None, sa_type=PERCENT)
    fixed_fee: Decimal | None = Field(default=None, sa_type=RATE)
    # Units (for percentage: of the summed amount) and events that cost nothing.
    free_units: Decimal = Field(default=Decimal(0), sa_type=QUANTITY)
    free_events: int = Field(default=0, sa_type=BigInteger)
    # Percentage: bounds of each paying event's percentage amount (major units).
    min_per_transaction: Decimal | None = Field(default=None, sa_type=RATE)
    max_per_transaction: Decimal | None = Field(default=None, sa_type=RATE)
    # Money charges billed per event as usage arrives (``app.billing.in_advance``).
    pay_in_advance: bool = False
    created_at: datetime = timestamp()


class ChargeTier(SQLModel, table=True):
    """A tier of a graduated, volume or graduated percentage charge: units up to ``up_to``
    (inclusive; NULL for the last, unbounded tier) at ``unit_price`` each (graduated percentage:
    ``rate`` % of the amount in the tier), plus ``flat_fee`` once the tier is entered."""

    __tablename__ = "charge_tiers"
    __table_args__ = (UniqueConstraint("charge_id", "position"),)

    id: int | None = id_field()
    charge_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("charges.id", ondelete="CASCADE"), nullable=False)
    )
    position: int = Field(sa_type=Integer)
    up_to: Decimal | None = Field(default=None, sa_type=QUANTITY)
    unit_price: Decimal = Field(sa_type=RATE)
    flat_fee: Decimal = Field(default=Decimal(0), sa_type=RATE)
    rate: Decimal | None = Field(default=None, sa_type=PERCENT)


class Subscription(SQLModel, table=True):
    __tablename__ = "subscriptions"
    __table_args__ = (
        # At most one live (active or suspended) subscription per customer: it prices events.
        Index(
            "ix_subscriptions_live_customer",
            "customer_id",
            unique=True,
            postgresql_where=text("status <> 'terminated'"),
        ),
        # The period-end job: live subscriptions whose period has ended.
        Index(
            "ix_subscriptions_next_billing_at",
            "next_billing_at",
            postgresql_where=text("status <> 'terminated'"),
        ),
    )

    id: int | None = id_field()
    customer_id: int = fk("customers.id", index=False)
    plan_id: int = fk("plans.id")
    status: SubscriptionStatus = enum_field(SubscriptionStatus, SubscriptionStatus.ACTIVE)
    # Billing periods start at the anchor plus whole intervals (clamped to short months).
    anchor: datetime = timestamp()
    started_at: datetime = timestamp()
    terminated_at: datetime | None = timestamp(nullable=True)
    suspension_reason: SuspensionReason | None = Field(
        default=None, sa_type=_nullable_enum(SuspensionReason), nullable=True
    )
    # The end of the period not invoiced yet: the period-end job picks it up from then.
    next_billing_at: datetime | None = timestamp(nullable=True)
    # Overrides of the plan's thresholds (NULL amounts: the plan's apply).
    threshold_amounts: list[int] | None = Field(default=None, sa_type=MINOR_ARRAY)
    threshold_recurring: int | None = Field(default=None, sa_type=BigInteger)
    # Money invoices are paid from the wallet (in the plan's currency) when it covers them.
    pay_with_credits: bool = False
    # The subscription this one replaced by a plan change (same customer, anchor and terms).
    previous_id: int | None = fk("subscriptions.id", nullable=True, index=False)
    # A downgrade scheduled for the end of the period running now: the plan it moves to.
    next_plan_id: int | None = fk("plans.id", nullable=True, index=False)
    created_at: datetime = timestamp()
    updated_at: datetime = timestamp()


class SubscriptionUsage(SQLModel, table=True):
    __tablename__ = "subscription_usage"

    subscription_id: int = Field(
        foreign_key="subscriptions.id", primary_key=True, sa_type=BigInteger
    )
    metric_id: int = Field(foreign_key="billable_metrics.id", primary_key=True, sa_type=BigInteger)
    period_start: datetime = Field(primary_key=True, sa_type=DateTime(timezone=True))
    quantity: Decimal = Field(default=Decimal(0), sa_type=QUANTITY)
    billed: Decimal = Field(default=Decimal(0), sa_type=QUANTITY)
    credits: Decimal = Field(default=Decimal(0), sa_type=CREDITS)
    events: int = Field(default=0, sa_type=BigInteger)
    money_minor: int = Field(default=0, sa_type=BigInteger)
    # Charges priced event by event (``per_event``): the exact sum of the events' amounts.
    accrued: Decimal = Field(default=Decimal(0), sa_type=QUANTITY)
    latest_at: datetime | None = timestamp(nullable=True)
    updated_at: datetime = timestamp()


class UsageUniqueValue(SQLModel, table=True):
    __tablename__ = "usage_unique_values"

    subscription_id: int = Field(
        foreign_key="subscriptions.id", primary_key=True, sa_type=BigInteger
    )
    metric_id: int = Field(foreign_key="billable_metrics.id", primary_key=True, sa_type=BigInteger)
    period_start: datetime = Field(primary_key=True, sa_type=DateTime(timezone=True))
    value: str = Field(primary_key=True, max_length=255)


class SpendingMinimum(SQLModel, table=True):
    """The least a plan's money charge bills in a period (minor units of the plan's currency):
    a true-up line bills the rest at the period's end."""

    __tablename__ = "spending_minimums"

    plan_id: int = Field(
        sa_column=Column(BigInteger, ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True)
    )
    metric_id: int = Field(foreign_key="billable_metrics.id", primary_key=True, sa_type=BigInteger)
    amount_minor: int = Field(sa_type=BigInteger)
