from __future__ import annotations

import strawberry

from app.customers import repository
from app.customers.models import Customer as CustomerModel
from graphql_schema.context import Info
from graphql_schema.customers.types import Customer
from graphql_schema.fields import field
from graphql_schema.pagination import Connection, Page, paged
from graphql_schema.permissions import CanRead, CanReadCustomer, require_visible


@strawberry.type
class CustomerQueries:
    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[Customer],
        description="Customers in creation order; `search` matches the start of the name or "
        "external id (case-insensitive) or the whole billing email.",
    )
    async def customers(
        self, info: Info, first: int = 20, after: str | None = None, search: str | None = None
    ) -> Connection[CustomerModel]:
        async def fetch(page: Page[int]) -> list[CustomerModel]:
            return await info.context.run(
                lambda s: repository.page(s, after_id=page.after, limit=page.limit, search=search)
            )

        return await paged(first, after, fetch)

    @field(
        permission_classes=[CanReadCustomer],
        graphql_type=Customer | None,
        description="One customer by external id (a customer token: only its own).",
    )
    async def customer(self, info: Info, external_id: str) -> CustomerModel | None:
        found = await info.context.run(lambda s: repository.by_external_id(s, external_id))
        if found is None or found.id is None:
            return None
        require_visible(info, found.id, f"customer '{external_id}'")
        return found
