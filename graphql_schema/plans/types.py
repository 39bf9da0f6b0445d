from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.plans.models import Charge as ChargeModel
from app.plans.models import Plan as PlanModel
from app.plans.models import Subscription as SubscriptionModel
from app.plans.periods import period_containing
from graphql_schema.context import Info
from graphql_schema.metering.types import Metric
from graphql_schema.plans.loaders import plan_loaders
from graphql_schema.scalars import Credits

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer


@strawberry.enum
class BillingInterval(Enum):
    MONTHLY = "monthly"
    YEARLY = "yearly"


@strawberry.enum(description="How a charge bills: in credits, debited as events arrive.")
class ChargePricing(Enum):
    CREDITS = "credits"


@strawberry.enum(description="per_unit: price × units; package: price per started package.")
class ChargeModelEnum(Enum):
    PER_UNIT = "per_unit"
    PACKAGE = "package"


@strawberry.enum
class SubscriptionStatus(Enum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


@strawberry.type(description="The price of one metric in a plan.")
class Charge:
    model: strawberry.Private[ChargeModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    async def metric(self, info: Info) -> Metric:
        found = await plan_loaders(info).metric.load(self.model.metric_id)
        assert found is not None
        return Metric(model=found)

    @strawberry.field
    def pricing(self) -> ChargePricing:
        return ChargePricing(self.model.pricing.value)

    @strawberry.field(name="model")
    def charge_model(self) -> ChargeModelEnum:
        return ChargeModelEnum(self.model.model.value)

    @strawberry.field(description="Credits per unit, or per started package.")
    def credit_price(self) -> Credits | None:
        return self.model.credit_price

    @strawberry.field(description="Units in a package (1 for per_unit).")
    def package_size(self) -> int:
        return self.model.package_size


@strawberry.type
class Plan:
    model: strawberry.Private[PlanModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def code(self) -> str:
        return self.model.code

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def description(self) -> str:
        return self.model.description

    @strawberry.field
    def currency(self) -> str:
        return self.model.currency

    @strawberry.field
    def interval(self) -> BillingInterval:
        return BillingInterval(self.model.interval.value)

    @strawberry.field
    async def charges(self, info: Info) -> list[Charge]:
        assert self.model.id is not None
        return [Charge(model=c) for c in await plan_loaders(info).charges.load(self.model.id)]

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at


def _plain(value: Decimal) -> Decimal:
    """Without trailing zeros or an exponent: 2.00 -> 2, 100 -> 100."""
    return Decimal(f"{value.normalize():f}")


@strawberry.type(description="Period-to-date usage of one metric the plan charges.")
class MetricUsage:
    metric_code: str
    metric: Metric
    units: Decimal = strawberry.field(description="The metric's aggregate over the period.")
    credits: Credits = strawberry.field(description="Credits debited for it in the period.")


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

    @strawberry.field(description="Billing periods start at the anchor plus whole intervals.")
    def anchor(self) -> datetime:
        return self.model.anchor

    @strawberry.field
    def started_at(self) -> datetime:
        return self.model.started_at

    @strawberry.field
    def terminated_at(self) -> datetime | None:
        return self.model.terminated_at

    async def _plan(self, info: Info) -> PlanModel:
        found = await plan_loaders(info).plan.load(self.model.plan_id)
        assert found is not None
        return found

    @strawberry.field(description="Start of the billing period that contains now.")
    async def current_period_start(self, info: Info) -> datetime:
        plan = await self._plan(info)
        return period_containing(self.model.anchor, plan.interval, info.context.now).start

    @strawberry.field(description="End (exclusive) of the billing period that contains now.")
    async def current_period_end(self, info: Info) -> datetime:
        plan = await self._plan(info)
        return period_containing(self.model.anchor, plan.interval, info.context.now).end

    @strawberry.field(
        description="Usage of each charged metric in the period containing `at` (default: now)."
    )
    async def usage(self, info: Info, at: datetime | None = None) -> list[MetricUsage]:
        assert self.model.id is not None
        loaders = plan_loaders(info)
        plan = await self._plan(info)
        assert plan.id is not None
        period = period_containing(self.model.anchor, plan.interval, at or info.context.now)
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
                )
            )
        return usage
