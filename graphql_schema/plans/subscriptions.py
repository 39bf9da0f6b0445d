"""A customer's subscription as the API shows it: status, periods, thresholds, usage."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.plans import money_pricing, thresholds
from app.plans.catalog import money_price
from app.plans.models import Charge as ChargeModel
from app.plans.models import ChargePricing as Pricing
from app.plans.models import Plan as PlanModel
from app.plans.models import Subscription as SubscriptionModel
from app.plans.models import SubscriptionUsage as UsageModel
from app.plans.periods import Period, billing_period
from graphql_schema.billing.types import BillingPeriod, UsageThreshold, plain, thresholds_of
from graphql_schema.context import Info
from graphql_schema.metering.types import Metric
from graphql_schema.plans.loaders import plan_loaders
from graphql_schema.plans.types import Plan
from graphql_schema.scalars import Credits
from graphql_schema.wallets.types import Money

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer


@strawberry.enum
class SubscriptionStatus(Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


@strawberry.enum(description="Why a subscription is suspended.")
class SuspensionReason(Enum):
    OPERATOR = "operator"
    OVERDUE_INVOICE = "overdue_invoice"


_plain = plain


@strawberry.type(description="Period-to-date usage of one metric the plan charges.")
class MetricUsage:
    metric_code: str
    metric: Metric
    units: Decimal = strawberry.field(description="The metric's aggregate over the period.")
    credits: Credits = strawberry.field(description="Credits debited for it in the period.")
    amount: Money | None = strawberry.field(
        description="What it comes to in money (money-priced charges)."
    )


@strawberry.type(name="PlanSubscription", description="A customer's subscription to a plan.")
class PlanSubscription:
    model: strawberry.Private[SubscriptionModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("graphql_schema.customers.types")]:
        from graphql_schema.customers.types import Customer

        found = await info.context.loaders.customer.load(self.model.customer_id)
        assert found is not None
        return Customer(model=found)

    @strawberry.field
    async def plan(self, info: Info) -> Plan:
        found = await plan_loaders(info).plan.load(self.model.plan_id)
        assert found is not None
        return Plan(model=found)

    @strawberry.field
    def status(self) -> SubscriptionStatus:
        return SubscriptionStatus(self.model.status.value)

    @strawberry.field(
        description="Billing periods start at the anchor plus whole intervals; the first one "
        "runs from the start to the next anchor date."
    )
    def anchor(self) -> datetime:
        return self.model.anchor

    @strawberry.field
    def started_at(self) -> datetime:
        return self.model.started_at

    @strawberry.field
    def terminated_at(self) -> datetime | None:
        return self.model.terminated_at

    @strawberry.field
    def suspension_reason(self) -> SuspensionReason | None:
        reason = self.model.suspension_reason
        return SuspensionReason(reason.value) if reason is not None else None

    @strawberry.field(description="Wallet credits pay its money invoices when they cover them.")
    def pay_with_credits(self) -> bool:
        return self.model.pay_with_credits

    @strawberry.field(description="Its own thresholds replace the plan's.")
    def thresholds_overridden(self) -> bool:
        return self.model.threshold_amounts is not None

    async def _thresholds(self, info: Info) -> thresholds.Thresholds:
        if self.model.threshold_amounts is not None:
            return thresholds.of(self.model.threshold_amounts, self.model.threshold_recurring)
        plan = await self._plan(info)
        return thresholds.of(plan.threshold_amounts, plan.threshold_recurring)

    @strawberry.field(description="The thresholds that apply: its own, else the plan's.")
    async def thresholds(self, info: Info) -> list[UsageThreshold]:
        plan = await self._plan(info)
        return thresholds_of(await self._thresholds(info), plan.currency)

    @strawberry.field(description="The billing period containing `at` (default: now).")
    async def billing_period(self, info: Info, at: datetime | None = None) -> BillingPeriod:
        assert self.model.id is not None
        plan = await self._plan(info)
        period = self._period(plan, at or info.context.now)
        row = await plan_loaders(info).period.load((self.model.id, period.start))
        chosen = await self._thresholds(info)
        return BillingPeriod.of(period.start, period.end, row, chosen, plan.currency)

    def _period(self, plan: PlanModel, moment: datetime) -> Period:
        return billing_period(self.model.anchor, self.model.started_at, plan.interval, moment)

    async def _plan(self, info: Info) -> PlanModel:
        found = await plan_loaders(info).plan.load(self.model.plan_id)
        assert found is not None
        return found

    @strawberry.field(description="Start of the billing period that contains now.")
    async def current_period_start(self, info: Info) -> datetime:
        plan = await self._plan(info)
        return self._period(plan, info.context.now).start

    @strawberry.field(description="End (exclusive) of the billing period that contains now.")
    async def current_period_end(self, info: Info) -> datetime:
        plan = await self._plan(info)
        return self._period(plan, info.context.now).end

    @strawberry.field(
        description="Usage of each charged metric in the period containing `at` (default: now)."
    )
    async def usage(self, info: Info, at: datetime | None = None) -> list[MetricUsage]:
        assert self.model.id is not None
        loaders = plan_loaders(info)
        plan = await self._plan(info)
        assert plan.id is not None
        period = self._period(plan, at or info.context.now)
        rows = await loaders.usage.load((self.model.id, period.start))
        by_metric = {row.metric_id: row for row in rows}
        usage = []
        for charge in await loaders.charges.load(plan.id):
            metric = await loaders.metric.load(charge.metric_id)
            assert metric is not None
            row = by_metric.get(charge.metric_id)
            usage.append(
                MetricUsage(
                    metric_code=metric.code,
                    metric=Metric(model=metric),
                    units=_plain(row.quantity) if row else Decimal(0),
                    credits=row.credits if row else Decimal(0),
                    amount=await _amount(info, charge, row, plan.currency),
                )
            )
        return usage


async def _amount(
    info: Info, charge: ChargeModel, row: UsageModel | None, currency: str
) -> Money | None:
    """A money charge's period amount at the plan's current price."""
    if charge.pricing is not Pricing.MONEY or charge.id is None:
        return None
    tiers = await plan_loaders(info).tiers.load(charge.id)
    price = money_price(charge, [(t.up_to, t.unit_price, t.flat_fee) for t in tiers])
    quantity, events = (row.quantity, row.events) if row else (Decimal(0), 0)
    return Money.of(money_pricing.amount_minor(price, quantity, events, currency), currency)
