"""Progressive billing as the API shows it: usage thresholds, tiers of money charges, and a
subscription's billing period (money usage so far, what threshold invoices billed)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import Parent

from app.billing.models import BillingPeriod as PeriodModel
from app.plans.models import ChargeTier as TierModel
from app.plans.thresholds import ThresholdInput, Thresholds
from graphql_schema.fields import Reads
from graphql_schema.money import Money, plain


@strawberry.type(
    description="A money amount at which usage is invoiced early; `recurring`: then every "
    "`amount` above the highest fixed threshold."
)
class UsageThreshold:
    amount: Money
    recurring: bool


def thresholds_of(found: Thresholds, currency: str) -> list[UsageThreshold]:
    items = [UsageThreshold(amount=Money.of(a, currency), recurring=False) for a in found.amounts]
    if found.recurring is not None:
        items.append(UsageThreshold(amount=Money.of(found.recurring, currency), recurring=True))
    return items


@strawberry.input(description='A threshold in major units of the plan\'s currency ("50.00").')
class UsageThresholdInput:
    amount: Decimal
    recurring: bool = strawberry.field(
        default=False, description="At most one: repeats every `amount` after the fixed ones."
    )


def threshold_inputs(items: list[UsageThresholdInput] | None) -> list[ThresholdInput] | None:
    if items is None:
        return None
    return [ThresholdInput(amount=item.amount, recurring=item.recurring) for item in items]


def _up_to(tier: Parent[TierModel]) -> Decimal | None:
    return plain(tier.up_to) if tier.up_to is not None else None


def _unit_price(tier: Parent[TierModel]) -> Decimal:
    return plain(tier.unit_price)


def _flat_fee(tier: Parent[TierModel]) -> Decimal:
    return plain(tier.flat_fee)


def _rate(tier: Parent[TierModel]) -> Decimal | None:
    return plain(tier.rate) if tier.rate is not None else None


@strawberry.type(
    description="A tier of a graduated, volume or graduated percentage charge: units up to "
    "`upTo` (inclusive; none for the last tier) at `unitPrice` (or `rate` %), plus `flatFee` "
    "once the tier is entered."
)
class ChargeTier:
    is_type_of = Reads(TierModel)

    up_to: Decimal | None = strawberry.field(resolver=_up_to)
    unit_price: Decimal = strawberry.field(
        resolver=_unit_price, description="Major units of the plan's currency."
    )
    flat_fee: Decimal = strawberry.field(
        resolver=_flat_fee, description="Major units of the plan's currency."
    )
    rate: Decimal | None = strawberry.field(
        resolver=_rate, description="Graduated percentage: % of the amount in the tier."
    )


@strawberry.type(description="A subscription's billing period and its money usage so far.")
class BillingPeriod:
    period_start: datetime
    period_end: datetime
    usage: Money = strawberry.field(
        description="Money usage so far in the period (each charge rounded once)."
    )
    billed_by_thresholds: Money = strawberry.field(
        description="What the period's threshold invoices billed."
    )
    last_threshold: Money | None = strawberry.field(
        description="The highest threshold invoiced in the period."
    )
    next_threshold: Money | None = strawberry.field(
        description="The next threshold usage would cross."
    )
    closed_at: datetime | None = strawberry.field(
        description="When its period-end invoice was made."
    )

    @classmethod
    def of(
        cls,
        start: datetime,
        end: datetime,
        row: PeriodModel | None,
        thresholds: Thresholds,
        currency: str,
    ) -> BillingPeriod:
        usage = row.usage_minor if row else 0
        level = row.level_minor if row else 0
        upcoming = thresholds.next_level(max(usage, level))
        return cls(
            period_start=start,
            period_end=end,
            usage=Money.of(usage, currency),
            billed_by_thresholds=Money.of(row.billed_minor if row else 0, currency),
            last_threshold=Money.of(level, currency) if level else None,
            next_threshold=Money.of(upcoming, currency) if upcoming is not None else None,
            closed_at=row.closed_at if row else None,
        )
