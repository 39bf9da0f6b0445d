from __future__ import annotations

import strawberry

from app.customers import repository as customers
from app.notifications import repository
from app.notifications.models import Email as EmailModel
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.notifications.types import Email
from graphql_schema.pagination import Connection, Page, paged, row_id
from graphql_schema.permissions import CanRead


@strawberry.type
class NotificationQueries:
    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[Email],
        description="Emails Tally wrote, newest first; optionally about one customer.",
    )
    async def emails(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        customer_external_id: str | None = None,
    ) -> Connection[EmailModel]:
        async def fetch(page: Page[int]) -> list[EmailModel]:
            customer_id: int | None = None
            if customer_external_id is not None:
                customer = await info.context.run(
                    lambda s: customers.by_external_id(s, customer_external_id)
                )
                if customer is None or customer.id is None:
                    return []
                customer_id = customer.id
            return await info.context.run(
                lambda s: repository.page(
                    s, before_id=page.after, limit=page.limit, customer_id=customer_id
                )
            )

        return await paged(first, after, fetch)

    @field(
        permission_classes=[CanRead],
        graphql_type=Email | None,
        description="One email, with its text and HTML bodies; null for an unknown id.",
    )
    async def email(self, info: Info, id: strawberry.ID) -> EmailModel | None:
        email_id = row_id(id)
        if email_id is None:
            return None
        return await info.context.run(lambda s: s.get(EmailModel, email_id))
