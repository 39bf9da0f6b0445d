from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

import strawberry

from app.plans import thresholds
from app.plans.models import Charge as ChargeModel
from app.plans.models import Plan as PlanModel
from graphql_schema.billing.types import (
    ChargeTier,
    UsageThreshold,
    plain,
    thresholds_of,
)
from graphql_schema.context import Info
from graphql_schema.metering.types import Metric
from graphql_schema.plans.loaders import plan_loaders
from graphql_schema.scalars import Credits
from graphql_schema.wallets.types import Money

if TYPE_CHECKING:
    pass


@strawberry.enum
class BillingInterval(Enum):
    MONTHLY = "monthly"
    YEARLY = "yearly"


@strawberry.enum(
    description="How a charge bills: in credits (debited as events arrive) or in money "
    "(invoiced at thresholds and at the period end)."
)
class ChargePricing(Enum):
    CREDITS = "credits"
    MONEY = "money"


@strawberry.enum(
    description="per_unit (flat): price × units; package: price per started package; "
    "graduated: each tier prices its own units; volume: the tier of the total prices every "
    "unit; percentage: a percentage of a summed property plus a fee per event (money only)."
)
class ChargeModelEnum(Enum):
    PER_UNIT = "per_unit"
    PACKAGE = "package"
    GRADUATED = "graduated"
    VOLUME = "volume"
    PERCENTAGE = "percentage"


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

    @strawberry.field(description="Money per unit or per package (major units).")
    def unit_price(self) -> Decimal | None:
        return plain(self.model.unit_price) if self.model.unit_price is not None else None

    @strawberry.field(description="Graduated and volume tiers, in order.")
    async def tiers(self, info: Info) -> list[ChargeTier]:
        assert self.model.id is not None
        return [ChargeTier(model=t) for t in await plan_loaders(info).tiers.load(self.model.id)]

    @strawberry.field(description="Percentage pricing: the share of the summed property.")
    def percentage(self) -> Decimal | None:
        return plain(self.model.percentage) if self.model.percentage is not None else None

    @strawberry.field(description="Percentage pricing: a fee per event (major units).")
    def fixed_fee(self) -> Decimal | None:
        return plain(self.model.fixed_fee) if self.model.fixed_fee is not None else None


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

    @strawberry.field(description="Billed with each period-end invoice.")
    def base_fee(self) -> Money:
        return Money.of(self.model.base_fee_minor, self.model.currency)

    @strawberry.field(description="Usage thresholds: money usage invoiced as it crosses them.")
    def thresholds(self) -> list[UsageThreshold]:
        found = thresholds.of(self.model.threshold_amounts, self.model.threshold_recurring)
        return thresholds_of(found, self.model.currency)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at
