from __future__ import annotations

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.customers import repository as customers
from app.plans import repository
from app.plans.models import Plan as PlanModel
from app.plans.models import Subscription as SubscriptionModel
from app.plans.models import SubscriptionStatus
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.pagination import Connection, Page, paged, row_id
from graphql_schema.permissions import CanRead, CanReadCustomer, require_visible
from graphql_schema.plans.subscriptions import PlanSubscription
from graphql_schema.plans.types import Plan


@strawberry.type
class PlanQueries:
    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[Plan],
        description="Plans, oldest first.",
    )
    async def plans(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[PlanModel]:
        async def fetch(page: Page[int]) -> list[PlanModel]:
            return await info.context.run(
                lambda s: repository.plans_page(s, after_id=page.after, limit=page.limit)
            )

        return await paged(first, after, fetch)

    @field(permission_classes=[CanRead], graphql_type=Plan | None, description="One plan by code.")
    async def plan(self, info: Info, code: str) -> PlanModel | None:
        return await info.context.run(lambda s: repository.find_plan(s, code))

    @field(
        permission_classes=[CanReadCustomer],
        graphql_type=PlanSubscription | None,
        description="One subscription by id (a customer token: only its own customer's).",
    )
    async def subscription(self, info: Info, id: strawberry.ID) -> SubscriptionModel | None:
        subscription_id = row_id(id)
        if subscription_id is None:
            return None
        found = await info.context.run(lambda s: s.get(SubscriptionModel, subscription_id))
        if found is None:
            return None
        require_visible(info, found.customer_id, f"subscription {subscription_id}")
        return found

    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[PlanSubscription],
        description="Subscriptions, oldest first; of one customer and in some statuses.",
    )
    async def subscriptions(
        self,
        info: Info,
        customer_external_id: str | None = None,
        statuses: list[SubscriptionStatus] | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[SubscriptionModel]:
        async def fetch(page: Page[int]) -> list[SubscriptionModel]:
            async def query(session: AsyncSession) -> list[SubscriptionModel]:
                customer_id = None
                if customer_external_id is not None:
                    customer = await customers.by_external_id(session, customer_external_id)
                    if customer is None:
                        return []
                    customer_id = customer.id
                return await repository.subscriptions_page(
                    session,
                    customer_id=customer_id,
                    statuses=statuses or None,
                    after_id=page.after,
                    limit=page.limit,
                )

            return await info.context.run(query)

        return await paged(first, after, fetch)
