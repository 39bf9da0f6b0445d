from __future__ import annotations

from collections.abc import Sequence

import strawberry

from app.audit import service
from app.audit.models import AuditEntry as EntryModel
from graphql_schema.audit.types import AuditEntry
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.pagination import Connection, Page, paged
from graphql_schema.permissions import CanRead


@strawberry.type
class AuditQueries:
    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[AuditEntry],
        description="Who did what, newest first; optionally only about one customer, only one "
        "actor's (`actorName`: an operator's email, an API key's name), only some actions "
        "(`actions`) or without some (`excludeActions`: e.g. the console's logins, `login`, "
        "`login_failed` and `login_throttled`).",
    )
    async def audit_log(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        customer_external_id: str | None = None,
        actions: list[str] | None = None,
        exclude_actions: list[str] | None = None,
        actor_name: str | None = None,
    ) -> Connection[EntryModel]:
        async def fetch(page: Page[int]) -> Sequence[EntryModel]:
            return await info.context.run(
                lambda s: service.page(
                    s,
                    before_id=page.after,
                    limit=page.limit,
                    customer_external_id=customer_external_id,
                    actions=actions,
                    exclude_actions=exclude_actions or (),
                    actor_name=actor_name,
                )
            )

        return await paged(first, after, fetch)
