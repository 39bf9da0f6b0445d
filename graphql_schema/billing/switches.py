"""Plan switches, commitments and invoice previews as the API shows them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app import billing
from app.errors import DomainError, NotFound
from app.flows import plan_switches
from app.invoices import LineInput
from app.plans.commitments import Amount, MinimumInput, set_commitments
from app.plans.models import Plan as PlanModel
from app.plans.models import Subscription as SubscriptionModel
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt, to_error
from graphql_schema.fields import field, mutation
from graphql_schema.money import Money, plain
from graphql_schema.pagination import row_id
from graphql_schema.permissions import CanRead, IsAdmin
from graphql_schema.plans.mutations import PlanPayload, PlanResult, SubscriptionResult
from graphql_schema.plans.mutations import SubscriptionPayload as Switched
from graphql_schema.plans.subscriptions import PlanSubscription


@strawberry.input(description="A money amount in major units and its currency.")
class MoneyInput:
    amount: Decimal
    currency: str


@strawberry.input(description="The least a money charge bills in a period.")
class SpendingMinimumInput:
    metric_code: str
    minimum: MoneyInput


@strawberry.input(
    description="Replaces the plan's commitments: `commitment` (none: dropped) is the least a "
    "period bills in all (base fee and usage); `spendingMinimums` the least each money charge "
    "bills. Amounts in the plan's currency; true-ups are prorated by the base fee's days."
)
class SetPlanCommitmentsInput:
    plan_code: str
    commitment: MoneyInput | None = None
    spending_minimums: list[SpendingMinimumInput] = strawberry.field(default_factory=list)


@strawberry.input(
    description="Move the subscription to `planCode` (same currency): an upgrade (a base fee "
    "per day at least the current one's) now, with the final invoice of the current plan; a "
    "downgrade at the end of the period running."
)
class SwitchPlanInput:
    subscription_id: strawberry.ID
    plan_code: str


@strawberry.input(description="Preview a switch to this plan (at `at`).")
class PreviewSwitchInput:
    plan_code: str


@strawberry.type(description="A line of a previewed invoice.")
class PreviewLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Money


@strawberry.type(
    description="The invoice the subscription's period would issue (at its end, or at a "
    "termination or plan switch at `effectiveAt`), computed by the invoicing code with the "
    "usage so far; nothing is written."
)
class InvoicePreview:
    subscription: SubscriptionModel = strawberry.field(graphql_type=PlanSubscription)
    period_start: datetime
    period_end: datetime
    effective_at: datetime
    upgrade: bool | None = strawberry.field(
        description="A previewed plan switch: applied at once (true) or at the period's end."
    )
    lines: list[PreviewLine]
    total: Money

    @classmethod
    def of(cls, found: billing.Preview) -> InvoicePreview:
        currency = found.plan.currency
        return cls(
            subscription=found.subscription,
            period_start=found.start,
            period_end=found.end,
            effective_at=found.effective_at,
            upgrade=found.upgrade,
            lines=[_line(line, currency) for line in found.lines],
            total=Money.of(found.total_minor, currency),
        )


def _line(line: LineInput, currency: str) -> PreviewLine:
    return PreviewLine(
        description=line.description,
        quantity=plain(line.quantity),
        unit_price=plain(line.unit_price),
        amount=Money.of(line.amount_minor or 0, currency),
    )


InvoicePreviewResult: TypeAlias = Annotated[
    InvoicePreview | Failure, strawberry.union("InvoicePreviewResult")
]


def _subscription_id(id: strawberry.ID) -> int:
    found = row_id(id)
    if found is None:
        raise NotFound("subscriptionId", f"no subscription with id {id}")
    return found


def _amount(given: MoneyInput | None) -> Amount | None:
    return None if given is None else Amount(given.amount, given.currency)


@strawberry.type
class SwitchQueries:
    @field(
        permission_classes=[CanRead],
        graphql_type=InvoicePreviewResult,
        description="What the customer would pay: the period's invoice at its end, or on a "
        "termination (`terminate`) or a plan switch (`change`) at `at` (default now; within "
        "the period running now).",
    )
    async def invoice_preview(
        self,
        info: Info,
        subscription_id: strawberry.ID,
        at: datetime | None = None,
        change: PreviewSwitchInput | None = None,
        terminate: bool = False,
    ) -> InvoicePreview | Failure:
        now = info.context.now

        async def work(session: AsyncSession) -> InvoicePreview:  # reads only: no savepoint
            found = await billing.preview(
                session,
                _subscription_id(subscription_id),
                now,
                at=at,
                switch_to=change.plan_code if change is not None else None,
                terminate=terminate,
            )
            return InvoicePreview.of(found)

        try:
            return await info.context.run(work)
        except DomainError as error:
            return to_error(error)


@strawberry.type
class SwitchMutations:
    @mutation(
        permission_classes=[IsAdmin],
        description="Switch the subscription's plan: an upgrade now (the payload's subscription "
        "is the new one), a downgrade scheduled for the period's end (`scheduledPlan`).",
    )
    async def switch_plan(self, info: Info, input: SwitchPlanInput) -> SubscriptionResult:
        now, settings = info.context.now, info.context.runtime.settings

        async def work(session: AsyncSession) -> Switched:
            found = await plan_switches.switch_plan(
                session, _subscription_id(input.subscription_id), input.plan_code, settings, now
            )
            return Switched(subscription=found)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Drop the downgrade scheduled for the period's end.",
    )
    async def cancel_plan_switch(
        self, info: Info, subscription_id: strawberry.ID
    ) -> SubscriptionResult:
        now = info.context.now

        async def work(session: AsyncSession) -> Switched:
            found = await plan_switches.cancel_switch(
                session, _subscription_id(subscription_id), now
            )
            return Switched(subscription=found)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def set_plan_commitments(self, info: Info, input: SetPlanCommitmentsInput) -> PlanResult:
        now = info.context.now

        async def work(session: AsyncSession) -> PlanPayload:
            minimums = [
                MinimumInput(m.metric_code, Amount(m.minimum.amount, m.minimum.currency))
                for m in input.spending_minimums
            ]
            plan: PlanModel = await set_commitments(
                session, input.plan_code, _amount(input.commitment), minimums, now
            )
            return PlanPayload(plan=plan)

        return await attempt(info, work)
