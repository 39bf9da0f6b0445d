"""A subscription's billing choices: its own usage thresholds, and paying with credits."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.billing import service
from app.errors import NotFound
from app.plans.models import Subscription as SubscriptionModel
from graphql_schema.billing.types import UsageThresholdInput, threshold_inputs
from graphql_schema.context import Info
from graphql_schema.errors import attempt
from graphql_schema.fields import mutation
from graphql_schema.pagination import row_id
from graphql_schema.permissions import IsAdmin
from graphql_schema.plans.mutations import SubscriptionPayload, SubscriptionResult


@strawberry.input(
    description="The subscription's own thresholds, replacing the plan's (an empty list: none)."
)
class SetSubscriptionThresholdsInput:
    subscription_id: strawberry.ID
    thresholds: list[UsageThresholdInput]


@strawberry.input
class SetSubscriptionPaymentInput:
    subscription_id: strawberry.ID
    pay_with_credits: bool = strawberry.field(
        description="Wallet credits (in the plan's currency) pay its money invoices when they "
        "cover them; otherwise the payment method on file is charged."
    )


Change = Callable[[AsyncSession, int], Awaitable[SubscriptionModel]]


async def _change(info: Info, id: strawberry.ID, change: Change) -> SubscriptionResult:
    async def work(session: AsyncSession) -> SubscriptionPayload:
        subscription_id = row_id(id)
        if subscription_id is None:
            raise NotFound("subscriptionId", f"no subscription with id {id}")
        return SubscriptionPayload(subscription=await change(session, subscription_id))

    return await attempt(info, work)


@strawberry.type
class BillingMutations:
    @mutation(
        permission_classes=[IsAdmin],
        description="Override the plan's usage thresholds for one subscription (raise them for a "
        "trusted customer). Acts at once: usage that already reached a new level is invoiced "
        "(all usage to date minus earlier threshold invoices); raising them invoices nothing.",
    )
    async def set_subscription_thresholds(
        self, info: Info, input: SetSubscriptionThresholdsInput
    ) -> SubscriptionResult:
        now, items = info.context.now, threshold_inputs(input.thresholds) or []
        return await _change(
            info,
            input.subscription_id,
            lambda s, i: service.override_thresholds(s, i, items, now),
        )

    @mutation(
        permission_classes=[IsAdmin],
        description="Drop the subscription's own thresholds: the plan's apply again, at once.",
    )
    async def clear_subscription_thresholds(
        self, info: Info, subscription_id: strawberry.ID
    ) -> SubscriptionResult:
        now = info.context.now
        return await _change(
            info, subscription_id, lambda s, i: service.clear_thresholds(s, i, now)
        )

    @mutation(
        permission_classes=[IsAdmin],
        description="Choose how the subscription's money invoices are paid.",
    )
    async def set_subscription_payment(
        self, info: Info, input: SetSubscriptionPaymentInput
    ) -> SubscriptionResult:
        now, enabled = info.context.now, input.pay_with_credits
        return await _change(
            info,
            input.subscription_id,
            lambda s, i: service.set_pay_with_credits(s, i, enabled, now),
        )
