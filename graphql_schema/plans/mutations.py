from __future__ import annotations

from datetime import datetime

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.plans import service
from app.plans.models import BillingInterval as IntervalModel
from app.plans.models import ChargeModel
from app.plans.models import SubscriptionStatus as Status
from app.plans.service import ChargeInput, PlanInput
from graphql_schema.context import Info
from graphql_schema.errors import Error, attempt, result
from graphql_schema.pagination import row_id
from graphql_schema.permissions import IsAdmin
from graphql_schema.plans.types import BillingInterval, ChargeModelEnum, Plan, PlanSubscription
from graphql_schema.scalars import Credits


@strawberry.input(description="Price one metric in credits.")
class CreditChargeInput:
    metric_code: str
    credit_price: Credits = strawberry.field(description="Credits per unit, or per package.")
    model: ChargeModelEnum = ChargeModelEnum.PER_UNIT
    package_size: int = strawberry.field(default=1, description="Units per package.")


@strawberry.input
class CreatePlanInput:
    code: str
    name: str
    currency: str
    interval: BillingInterval = BillingInterval.MONTHLY
    charges: list[CreditChargeInput] = strawberry.field(default_factory=list)
    description: str = ""


@strawberry.input(description="Fields left out are unchanged; `charges` replaces all charges.")
class UpdatePlanInput:
    code: str
    name: str | None = None
    description: str | None = None
    charges: list[CreditChargeInput] | None = None


@strawberry.input
class CreateSubscriptionInput:
    customer_external_id: str
    plan_code: str
    anchor: datetime | None = strawberry.field(
        default=None, description="Where billing periods start from (default: now)."
    )


@strawberry.type
class PlanPayload:
    plan: Plan


@strawberry.type
class SubscriptionPayload:
    subscription: PlanSubscription


PlanResult = result("PlanResult", PlanPayload)
SubscriptionResult = result("SubscriptionResult", SubscriptionPayload)


def _charges(inputs: list[CreditChargeInput] | None) -> list[ChargeInput] | None:
    if inputs is None:
        return None
    return [
        ChargeInput(
            metric_code=c.metric_code,
            credit_price=c.credit_price,
            model=ChargeModel(c.model.value),
            package_size=c.package_size,
        )
        for c in inputs
    ]


async def _set_status(info: Info, id: strawberry.ID, status: Status) -> SubscriptionPayload | Error:
    now = info.context.now

    async def work(session: AsyncSession) -> SubscriptionPayload:
        subscription_id = row_id(id)
        if subscription_id is None:
            raise NotFound("id", f"no subscription with id {id}")
        found = await service.set_status(session, subscription_id, status, now)
        return SubscriptionPayload(subscription=PlanSubscription(model=found))

    return await attempt(info, work)


@strawberry.type
class PlanMutations:
    @strawberry.mutation(permission_classes=[IsAdmin], description="Create a plan with charges.")
    async def create_plan(self, info: Info, input: CreatePlanInput) -> PlanResult:
        now = info.context.now

        async def work(session: AsyncSession) -> PlanPayload:
            data = PlanInput(
                code=input.code,
                name=input.name,
                currency=input.currency,
                interval=IntervalModel(input.interval.value),
                charges=_charges(input.charges) or [],
                description=input.description,
            )
            return PlanPayload(plan=Plan(model=await service.create_plan(session, data, now)))

        return await attempt(info, work)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def update_plan(self, info: Info, input: UpdatePlanInput) -> PlanResult:
        now = info.context.now

        async def work(session: AsyncSession) -> PlanPayload:
            plan = await service.update_plan(
                session,
                input.code,
                now,
                name=input.name,
                description=input.description,
                charges=_charges(input.charges),
            )
            return PlanPayload(plan=Plan(model=plan))

        return await attempt(info, work)

    @strawberry.mutation(
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
            return SubscriptionPayload(subscription=PlanSubscription(model=subscription))

        return await attempt(info, work)

    @strawberry.mutation(permission_classes=[IsAdmin], description="Suspend (usage still bills).")
    async def suspend_subscription(self, info: Info, id: strawberry.ID) -> SubscriptionResult:
        return await _set_status(info, id, Status.SUSPENDED)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def resume_subscription(self, info: Info, id: strawberry.ID) -> SubscriptionResult:
        return await _set_status(info, id, Status.ACTIVE)

    @strawberry.mutation(permission_classes=[IsAdmin], description="End it; it prices no events.")
    async def terminate_subscription(self, info: Info, id: strawberry.ID) -> SubscriptionResult:
        return await _set_status(info, id, Status.TERMINATED)
