"""Plans, their charges, subscriptions and period-to-date usage.

A charge prices one metric. Today every charge is priced in **credits** (debited from the wallet
as events arrive); ``pricing`` and ``model`` are open so money pricing (flat, graduated, volume,
percentage) can join the same table, with its tiers in a child table, without a rewrite.

``subscription_usage`` holds, per subscription, metric and billing period, the period-to-date
quantity, maintained in the ingest transaction: added for count / sum / unique_count, raised
for max, replaced by the newest event for latest. ``billed`` is the quantity already debited
(for latest, the highest value seen: credits are not refunded when a gauge falls, and the bill
does not depend on batching or arrival order) and ``credits`` what was debited for it.
``usage_unique_values`` remembers the values a unique_count has seen.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    Numeric,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from app.db.types import CREDITS, credits_field, enum_field, fk, id_field, timestamp

QUANTITY = Numeric(asdecimal=True)  # exact, unbounded: sums of fractional properties


class BillingInterval(StrEnum):
    MONTHLY = "monthly"
    YEARLY = "yearly"


class ChargePricing(StrEnum):
    CREDITS = "credits"  # debited from the wallet in the ingest transaction


class ChargeModel(StrEnum):
    PER_UNIT = "per_unit"  # price × units
    PACKAGE = "package"  # price per started package of ``package_size`` units


class SubscriptionStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class Plan(SQLModel, table=True):
    __tablename__ = "plans"

    id: int | None = id_field()
    code: str = Field(max_length=100, unique=True)
    name: str = Field(max_length=255)
    description: str = Field(default="", max_length=500)
    currency: str = Field(max_length=3)
    interval: BillingInterval = enum_field(BillingInterval)
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
    )

    id: int | None = id_field()
    plan_id: int = fk("plans.id", index=False)
    metric_id: int = fk("billable_metrics.id")
    pricing: ChargePricing = enum_field(ChargePricing, ChargePricing.CREDITS)
    model: ChargeModel = enum_field(ChargeModel, ChargeModel.PER_UNIT)
    # Credits per unit (per_unit) or per started package (package).
    credit_price: Decimal | None = credits_field(nullable=True)
    package_size: int = Field(default=1, sa_type=Integer)
    created_at: datetime = timestamp()


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
    )

    id: int | None = id_field()
    customer_id: int = fk("customers.id", index=False)
    plan_id: int = fk("plans.id")
    status: SubscriptionStatus = enum_field(SubscriptionStatus, SubscriptionStatus.ACTIVE)
    # Billing periods start at the anchor plus whole intervals (clamped to short months).
    anchor: datetime = timestamp()
    started_at: datetime = timestamp()
    terminated_at: datetime | None = timestamp(nullable=True)
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


class CatalogState(SQLModel, table=True):
    """One row whose ``version`` changes with every change to metrics, plans or charges, in the
    same transaction: each process compares it with its in-memory catalog on every read."""

    __tablename__ = "catalog_state"

    id: int = Field(default=1, primary_key=True)
    version: uuid.UUID = Field(sa_type=UUID(as_uuid=True))
