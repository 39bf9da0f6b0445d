from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.billing import termination
from app.errors import NotFound
from app.flows import plan_changes
from app.plans import service
from app.plans.models import BillingInterval, ChargeModel
from app.plans.models import Plan as PlanModel
from app.plans.models import Subscription as SubscriptionModel
from app.plans.models import SubscriptionStatus as Status
from app.plans.money_charges import MoneyChargeInput as MoneyCharge
from app.plans.money_charges import TierInput
from app.plans.service import ChargeInput, PlanInput
from graphql_schema.billing.types import UsageThresholdInput, threshold_inputs
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.pagination import row_id
from graphql_schema.permissions import IsAdmin
from graphql_schema.plans.subscriptions import PlanSubscription
from graphql_schema.plans.types import Plan
from graphql_schema.scalars import Credits


@strawberry.input(description="Price one metric in credits.")
class CreditChargeInput:
    metric_code: str
    credit_price: Credits = strawberry.field(description="Credits per unit, or per package.")
    model: ChargeModel = ChargeModel.PER_UNIT
    package_size: int = strawberry.field(default=1, description="Units per package.")
    free_units: Decimal | None = strawberry.field(
        default=None, description="The period's first units cost no credits (0 or more)."
    )


@strawberry.input(description="A tier: units up to `upTo` (leave it out on the last tier).")
class ChargeTierInput:
    unit_price: Decimal | None = strawberry.field(
        default=None,
        description="Money per unit (major units); required but for graduated_percentage.",
    )
    up_to: Decimal | None = None
    flat_fee: Decimal = strawberry.field(
        default=Decimal(0),
        description="Charged once the tier is entered (graduated, graduated_percentage: the "
        "first tier even at zero usage), or when the total lands in it (volume).",
    )
    rate: Decimal | None = strawberry.field(
        default=None, description="graduated_percentage: 0-100 % of the amount in the tier."
    )
    start: Decimal | None = strawberry.field(
        name="from",
        default=None,
        description="Optional: where the tier starts, which must be the previous tier's upTo "
        "(0 for the first); a gap or an overlap is refused.",
    )


@strawberry.input(description="Price one metric in money, invoiced (in the plan's currency).")
class MoneyChargeInput:
    metric_code: str
    model: ChargeModel = ChargeModel.PER_UNIT
    unit_price: Decimal | None = strawberry.field(
        default=None, description="per_unit: per unit; package: per started package."
    )
    package_size: int = strawberry.field(default=1, description="Units per package.")
    tiers: list[ChargeTierInput] = strawberry.field(
        default_factory=list, description="graduated and volume: ordered by upTo."
    )
    percentage: Decimal | None = strawberry.field(
        default=None, description="percentage: 0-100 of the summed property."
    )
    fixed_fee: Decimal | None = strawberry.field(
        default=None, description="percentage: a fee per event (major units)."
    )
    free_units: Decimal | None = strawberry.field(
        default=None,
        description="per_unit, package: the period's first units are free; percentage: the "
        "first amount of the summed property is free.",
    )
    free_events: int | None = strawberry.field(
        default=None, description="percentage: the period's first events are free."
    )
    min_per_transaction: Decimal | None = strawberry.field(
        default=None, description="percentage: the least an event's percentage amount comes to."
    )
    max_per_transaction: Decimal | None = strawberry.field(
        default=None, description="percentage: the most an event's percentage amount comes to."
    )
    pay_in_advance: bool = strawberry.field(
        default=False,
        description="Bill each event as it arrives (an invoice per ingest batch) instead of "
        "at thresholds and the period end.",
    )


@strawberry.input
class CreatePlanInput:
    code: str
    name: str
    currency: str
    interval: BillingInterval = BillingInterval.MONTHLY
    charges: list[CreditChargeInput] = strawberry.field(default_factory=list)
    description: str = ""
    money_charges: list[MoneyChargeInput] = strawberry.field(default_factory=list)
    base_fee: Decimal = strawberry.field(
        default=Decimal(0), description="Billed with each period-end invoice (major units)."
    )
    thresholds: list[UsageThresholdInput] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Fields left out are unchanged; `charges` replaces the credit charges, "
    "`moneyCharges` the money charges, `thresholds` the thresholds (acting at once: every "
    "subscription following them whose period's usage already reached a new level is invoiced)."
)
class UpdatePlanInput:
    code: str
    name: str | None = None
    description: str | None = None
    charges: list[CreditChargeInput] | None = None
    money_charges: list[MoneyChargeInput] | None = None
    base_fee: Decimal | None = None
    thresholds: list[UsageThresholdInput] | None = None


@strawberry.input
class CreateSubscriptionInput:
    customer_external_id: str
    plan_code: str
    anchor: datetime | None = strawberry.field(
        default=None, description="Where billing periods start from (default: now)."
    )


@strawberry.type
class PlanPayload:
    plan: PlanModel = strawberry.field(graphql_type=Plan)


@strawberry.type
class SubscriptionPayload:
    subscription: SubscriptionModel = strawberry.field(graphql_type=PlanSubscription)


PlanResult: TypeAlias = Annotated[PlanPayload | Failure, strawberry.union("PlanResult")]
SubscriptionResult: TypeAlias = Annotated[
    SubscriptionPayload | Failure, strawberry.union("SubscriptionResult")
]


def _charges(inputs: list[CreditChargeInput] | None) -> list[ChargeInput] | None:
    if inputs is None:
        return None
    return [
        ChargeInput(
            metric_code=c.metric_code,
            credit_price=c.credit_price,
            model=c.model,
            package_size=c.package_size,
            free_units=c.free_units,
        )
        for c in inputs
    ]


def _money_charges(inputs: list[MoneyChargeInput] | None) -> list[MoneyCharge] | None:
    if inputs is None:
        return None
    return [
        MoneyCharge(
            metric_code=c.metric_code,
            model=c.model,
            unit_price=c.unit_price,
            package_size=c.package_size,
            tiers=[TierInput(t.unit_price, t.up_to, t.flat_fee, t.rate, t.start) for t in c.tiers],
            percentage=c.percentage,
            fixed_fee=c.fixed_fee,
            free_units=c.free_units,
            free_events=c.free_events,
            min_per_transaction=c.min_per_transaction,
            max_per_transaction=c.max_per_transaction,
            pay_in_advance=c.pay_in_advance,
        )
        for c in inputs
    ]


async def _set_status(info: Info, id: strawberry.ID, status: Status) -> SubscriptionResult:
    now, settings = info.context.now, info.context.runtime.settings

    async def work(session: AsyncSession) -> SubscriptionPayload:
        subscription_id = row_id(id)
        if subscription_id is None:
            raise NotFound("id", f"no subscription with id {id}")
        if status is Status.TERMINATED:  # with its final invoice, in the same transaction
            found = await termination.terminate(session, subscription_id, settings, now)
        else:
            found = await service.set_status(session, subscription_id, status, now)
        return SubscriptionPayload(subscription=found)

    return await attempt(info, work)


@strawberry.type
class PlanMutations:
    @mutation(permission_classes=[IsAdmin], description="Create a plan with charges.")
    async def create_plan(self, info: Info, input: CreatePlanInput) -> PlanResult:
        now = info.context.now

        async def work(session: AsyncSession) -> PlanPayload:
            data = PlanInput(
                code=input.code,
                name=input.name,
                currency=input.currency,
                interval=input.interval,
                charges=_charges(input.charges) or [],
                description=input.description,
                money_charges=_money_charges(input.money_charges) or [],
                base_fee=input.base_fee,
                thresholds=threshold_inputs(input.thresholds) or [],
            )
            return PlanPayload(plan=await service.create_plan(session, data, now))

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def update_plan(self, info: Info, input: UpdatePlanInput) -> PlanResult:
        now = info.context.now

        async def work(session: AsyncSession) -> PlanPayload:
            plan = await plan_changes.update_plan(
                session,
                input.code,
                now,
                name=input.name,
                description=input.description,
                credit_charges=_charges(input.charges),
                money_charges=_money_charges(input.money_charges),
                base_fee=input.base_fee,
                threshold_inputs=threshold_inputs(input.thresholds),
            )
            return PlanPayload(plan=plan)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Subscribe a customer to a plan (one live subscription per customer).",
    )
    async def create_subscription(
        self, info: Info, input: CreateSubscriptionInput
    ) -> SubscriptionResult:
        now = info.context.now

        async def work(session: AsyncSession) -> SubscriptionPayload:
            subscription = await service.subscribe(
                session, input.customer_external_id, input.plan_code, now, input.anchor
            )
            return SubscriptionPayload(subscription=subscription)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin], description="Suspend (usage still bills).")
    async def suspend_subscription(self, info: Info, id: strawberry.ID) -> SubscriptionResult:
        return await _set_status(info, id, Status.SUSPENDED)

    @mutation(permission_classes=[IsAdmin])
    async def resume_subscription(self, info: Info, id: strawberry.ID) -> SubscriptionResult:
        return await _set_status(info, id, Status.ACTIVE)

    @mutation(
        permission_classes=[IsAdmin],
        description="End it now; it prices no more events. A final invoice is issued at once for "
        "the period cut short: money usage not yet invoiced by threshold invoices, plus the base "
        "fee for the days of the period it ran. Terminating again changes nothing.",
    )
    async def terminate_subscription(self, info: Info, id: strawberry.ID) -> SubscriptionResult:
        return await _set_status(info, id, Status.TERMINATED)
