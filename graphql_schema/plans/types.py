"""Plans and their charges as the API shows them, read from ``app.plans.models`` (plain fields by
attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import Parent

from app.metering.models import BillableMetric
from app.plans import commitments, thresholds
from app.plans.models import BillingInterval, ChargeModel, ChargePricing
from app.plans.models import Charge as ChargeRow
from app.plans.models import ChargeTier as TierModel
from app.plans.models import Plan as PlanModel
from graphql_schema.billing.types import ChargeTier, UsageThreshold, thresholds_of
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.metering.types import Metric
from graphql_schema.money import Money, plain
from graphql_schema.plans.loaders import plan_loaders
from graphql_schema.scalars import Credits

strawberry.enum(BillingInterval)
strawberry.enum(
    ChargePricing,
    description="How a charge bills: in credits (debited as events arrive) or in money "
    "(invoiced at thresholds and at the period end).",
)
strawberry.enum(
    ChargeModel,
    name="ChargeModelEnum",
    description="per_unit (flat): price × units; package: price per started package; "
    "graduated: each tier prices its own units; volume: the tier of the total prices every "
    "unit; percentage: a percentage of a summed property plus a fee per event; "
    "graduated_percentage: a rate per tier of the summed property (money only but per_unit "
    "and package).",
)


async def _metric(charge: Parent[ChargeRow], info: Info) -> BillableMetric:
    found = await plan_loaders(info).metric.load(charge.metric_id)
    assert found is not None
    return found


def _unit_price(charge: Parent[ChargeRow]) -> Decimal | None:
    return plain(charge.unit_price) if charge.unit_price is not None else None


async def _tiers(charge: Parent[ChargeRow], info: Info) -> list[TierModel]:
    assert charge.id is not None
    return await plan_loaders(info).tiers.load(charge.id)


def _percentage(charge: Parent[ChargeRow]) -> Decimal | None:
    return plain(charge.percentage) if charge.percentage is not None else None


def _fixed_fee(charge: Parent[ChargeRow]) -> Decimal | None:
    return plain(charge.fixed_fee) if charge.fixed_fee is not None else None


def _free_units(charge: Parent[ChargeRow]) -> Decimal:
    return plain(charge.free_units)


def _min_per_transaction(charge: Parent[ChargeRow]) -> Decimal | None:
    found = charge.min_per_transaction
    return plain(found) if found is not None else None


def _max_per_transaction(charge: Parent[ChargeRow]) -> Decimal | None:
    found = charge.max_per_transaction
    return plain(found) if found is not None else None


@strawberry.type(description="The price of one metric in a plan.")
class Charge:
    is_type_of = Reads(ChargeRow)

    id: strawberry.ID
    metric: BillableMetric = strawberry.field(resolver=_metric, graphql_type=Metric)
    pricing: ChargePricing
    model: ChargeModel
    credit_price: Credits | None = strawberry.field(
        description="Credits per unit, or per started package."
    )
    package_size: int = strawberry.field(description="Units in a package (1 for per_unit).")
    unit_price: Decimal | None = strawberry.field(
        resolver=_unit_price, description="Money per unit or per package (major units)."
    )
    tiers: list[TierModel] = strawberry.field(
        resolver=_tiers,
        graphql_type=list[ChargeTier],
        description="Graduated and volume tiers, in order.",
    )
    percentage: Decimal | None = strawberry.field(
        resolver=_percentage,
        description="Percentage pricing: the share of the summed property.",
    )
    fixed_fee: Decimal | None = strawberry.field(
        resolver=_fixed_fee, description="Percentage pricing: a fee per event (major units)."
    )
    free_units: Decimal = strawberry.field(
        resolver=_free_units,
        description="Units (percentage: amount of the summed property) free in each period.",
    )
    free_events: int = strawberry.field(description="Percentage: events free in each period.")
    min_per_transaction: Decimal | None = strawberry.field(
        resolver=_min_per_transaction,
        description="Percentage: the least an event's percentage amount comes to.",
    )
    max_per_transaction: Decimal | None = strawberry.field(
        resolver=_max_per_transaction,
        description="Percentage: the most an event's percentage amount comes to.",
    )
    pay_in_advance: bool = strawberry.field(
        description="Billed per event as usage arrives (money: an invoice per ingest batch)."
    )


async def _charges(plan: Parent[PlanModel], info: Info) -> list[ChargeRow]:
    assert plan.id is not None
    return await plan_loaders(info).charges.load(plan.id)


def _base_fee(plan: Parent[PlanModel]) -> Money:
    return Money.of(plan.base_fee_minor, plan.currency)


def _commitment(plan: Parent[PlanModel]) -> Money | None:
    return Money.of(plan.commitment_minor, plan.currency) if plan.commitment_minor else None


@strawberry.type(description="The least a money charge bills in a period.")
class SpendingMinimum:
    metric_code: str
    minimum: Money


async def _spending_minimums(plan: Parent[PlanModel], info: Info) -> list[SpendingMinimum]:
    assert plan.id is not None
    plan_id = plan.id
    found = await info.context.run(lambda s: commitments.spending_minimums(s, plan_id))
    loaders = plan_loaders(info)
    items = []
    for row in found:
        metric = await loaders.metric.load(row.metric_id)
        assert metric is not None
        minimum = Money.of(row.amount_minor, plan.currency)
        items.append(SpendingMinimum(metric_code=metric.code, minimum=minimum))
    return items


def _thresholds(plan: Parent[PlanModel]) -> list[UsageThreshold]:
    found = thresholds.of(plan.threshold_amounts, plan.threshold_recurring)
    return thresholds_of(found, plan.currency)


@strawberry.type
class Plan:
    is_type_of = Reads(PlanModel)

    id: strawberry.ID
    code: str
    name: str
    description: str
    currency: str
    interval: BillingInterval
    charges: list[ChargeRow] = strawberry.field(resolver=_charges, graphql_type=list[Charge])
    base_fee: Money = strawberry.field(
        resolver=_base_fee, description="Billed with each period-end invoice."
    )
    thresholds: list[UsageThreshold] = strawberry.field(
        resolver=_thresholds,
        description="Usage thresholds: money usage invoiced as it crosses them.",
    )
    commitment: Money | None = strawberry.field(
        resolver=_commitment,
        description="Minimum commitment: the least a period bills in all; a true-up line bills "
        "the rest (prorated by the base fee's days).",
    )
    spending_minimums: list[SpendingMinimum] = strawberry.field(
        resolver=_spending_minimums,
        description="The least each money charge bills in a period (true-up lines).",
    )
    created_at: datetime
