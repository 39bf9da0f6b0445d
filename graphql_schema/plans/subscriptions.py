"""A customer's subscription as the API shows it: status, periods, thresholds, usage."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Parent

from app.customers.models import Customer as CustomerModel
from app.metering.models import BillableMetric
from app.plans import money_pricing, thresholds
from app.plans.catalog import money_price
from app.plans.models import Charge as ChargeRow
from app.plans.models import ChargePricing as Pricing
from app.plans.models import Plan as PlanModel
from app.plans.models import Subscription as SubscriptionModel
from app.plans.models import SubscriptionStatus, SuspensionReason
from app.plans.models import SubscriptionUsage as UsageModel
from app.plans.periods import Period, billing_period
from graphql_schema.billing.types import BillingPeriod, UsageThreshold, thresholds_of
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.metering.types import Metric
from graphql_schema.money import Money, plain
from graphql_schema.plans.loaders import plan_loaders
from graphql_schema.plans.types import Plan
from graphql_schema.scalars import Credits

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer


strawberry.enum(SubscriptionStatus)
strawberry.enum(SuspensionReason, description="Why a subscription is suspended.")


@strawberry.type(description="Period-to-date usage of one metric the plan charges.")
class MetricUsage:
    metric_code: str
    metric: BillableMetric = strawberry.field(graphql_type=Metric)
    units: Decimal = strawberry.field(description="The metric's aggregate over the period.")
    credits: Credits = strawberry.field(description="Credits debited for it in the period.")
    amount: Money | None = strawberry.field(
        description="What it comes to in money (money-priced charges)."
    )


async def _customer(subscription: Parent[SubscriptionModel], info: Info) -> CustomerModel:
    found = await info.context.loaders.customer.load(subscription.customer_id)
    assert found is not None
    return found


async def _plan(subscription: Parent[SubscriptionModel], info: Info) -> PlanModel:
    found = await plan_loaders(info).plan.load(subscription.plan_id)
    assert found is not None
    return found


async def _scheduled_plan(subscription: Parent[SubscriptionModel], info: Info) -> PlanModel | None:
    if subscription.next_plan_id is None:
        return None
    return await plan_loaders(info).plan.load(subscription.next_plan_id)


def _previous(subscription: Parent[SubscriptionModel]) -> strawberry.ID | None:
    found = subscription.previous_id
    return strawberry.ID(str(found)) if found is not None else None


def _overridden(subscription: Parent[SubscriptionModel]) -> bool:
    return subscription.threshold_amounts is not None


async def _chosen(subscription: SubscriptionModel, info: Info) -> thresholds.Thresholds:
    """The thresholds that apply: the subscription's own, else its plan's."""
    if subscription.threshold_amounts is not None:
        return thresholds.of(subscription.threshold_amounts, subscription.threshold_recurring)
    plan = await _plan(subscription, info)
    return thresholds.of(plan.threshold_amounts, plan.threshold_recurring)


async def _thresholds(subscription: Parent[SubscriptionModel], info: Info) -> list[UsageThreshold]:
    plan = await _plan(subscription, info)
    return thresholds_of(await _chosen(subscription, info), plan.currency)


def _period_of(subscription: SubscriptionModel, plan: PlanModel, moment: datetime) -> Period:
    return billing_period(subscription.anchor, subscription.started_at, plan.interval, moment)


async def _billing_period(
    subscription: Parent[SubscriptionModel], info: Info, at: datetime | None = None
) -> BillingPeriod:
    assert subscription.id is not None
    plan = await _plan(subscription, info)
    period = _period_of(subscription, plan, at or info.context.now)
    row = await plan_loaders(info).period.load((subscription.id, period.start))
    chosen = await _chosen(subscription, info)
    return BillingPeriod.of(period.start, period.end, row, chosen, plan.currency)


async def _current_period(subscription: SubscriptionModel, info: Info) -> Period:
    plan = await _plan(subscription, info)
    return _period_of(subscription, plan, info.context.now)


async def _current_period_start(subscription: Parent[SubscriptionModel], info: Info) -> datetime:
    return (await _current_period(subscription, info)).start


async def _current_period_end(subscription: Parent[SubscriptionModel], info: Info) -> datetime:
    return (await _current_period(subscription, info)).end


async def _amount(
    info: Info, charge: ChargeRow, row: UsageModel | None, currency: str
) -> Money | None:
    """A money charge's period amount at the plan's current price."""
    if charge.pricing is not Pricing.MONEY or charge.id is None:
        return None
    tiers = await plan_loaders(info).tiers.load(charge.id)
    price = money_price(charge, [(t.up_to, t.unit_price, t.flat_fee, t.rate) for t in tiers])
    if row is None:
        row = UsageModel(subscription_id=0, metric_id=0, period_start=info.context.now)
    minor = money_pricing.period_minor(price, row.quantity, row.events, row.accrued, currency)
    return Money.of(minor, currency)


async def _usage(
    subscription: Parent[SubscriptionModel], info: Info, at: datetime | None = None
) -> list[MetricUsage]:
    assert subscription.id is not None
    loaders = plan_loaders(info)
    plan = await _plan(subscription, info)
    assert plan.id is not None
    period = _period_of(subscription, plan, at or info.context.now)
    rows = await loaders.usage.load((subscription.id, period.start))
    by_metric = {row.metric_id: row for row in rows}
    usage = []
    for charge in await loaders.charges.load(plan.id):
        metric = await loaders.metric.load(charge.metric_id)
        assert metric is not None
        row = by_metric.get(charge.metric_id)
        usage.append(
            MetricUsage(
                metric_code=metric.code,
                metric=metric,
                units=plain(row.quantity) if row else Decimal(0),
                credits=row.credits if row else Decimal(0),
                amount=await _amount(info, charge, row, plan.currency),
            )
        )
    return usage


@strawberry.type(name="PlanSubscription", description="A customer's subscription to a plan.")
class PlanSubscription:
    is_type_of = Reads(SubscriptionModel)

    id: strawberry.ID
    customer: CustomerModel = strawberry.field(
        resolver=_customer,
        graphql_type=Annotated["Customer", strawberry.lazy("graphql_schema.customers.types")],
    )
    plan: PlanModel = strawberry.field(resolver=_plan, graphql_type=Plan)
    status: SubscriptionStatus
    anchor: datetime = strawberry.field(
        description="Billing periods start at the anchor plus whole intervals; the first one "
        "runs from the start to the next anchor date."
    )
    started_at: datetime
    terminated_at: datetime | None
    suspension_reason: SuspensionReason | None
    pay_with_credits: bool = strawberry.field(
        description="Wallet credits pay its money invoices when they cover them."
    )
    scheduled_plan: PlanModel | None = strawberry.field(
        resolver=_scheduled_plan,
        graphql_type=Plan | None,
        description="A downgrade scheduled for the end of the period running (switchPlan).",
    )
    previous_subscription_id: strawberry.ID | None = strawberry.field(
        resolver=_previous,
        description="The subscription this one took over from by a plan switch.",
    )
    thresholds_overridden: bool = strawberry.field(
        resolver=_overridden, description="Its own thresholds replace the plan's."
    )
    thresholds: list[UsageThreshold] = strawberry.field(
        resolver=_thresholds, description="The thresholds that apply: its own, else the plan's."
    )
    billing_period: BillingPeriod = strawberry.field(
        resolver=_billing_period, description="The billing period containing `at` (default: now)."
    )
    current_period_start: datetime = strawberry.field(
        resolver=_current_period_start,
        description="Start of the billing period that contains now.",
    )
    current_period_end: datetime = strawberry.field(
        resolver=_current_period_end,
        description="End (exclusive) of the billing period that contains now.",
    )
    usage: list[MetricUsage] = strawberry.field(
        resolver=_usage,
        description="Usage of each charged metric in the period containing `at` (default: now).",
    )
