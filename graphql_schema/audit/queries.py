from __future__ import annotations

import strawberry

from app.audit import service
from graphql_schema.audit.types import AuditEntry
from graphql_schema.context import Info
from graphql_schema.pagination import Connection, connection, decode_cursor, page_size
from graphql_schema.permissions import CanRead


@strawberry.type
class AuditQueries:
    @strawberry.field(
        permission_classes=[CanRead],
        description="Who did what, newest first; optionally only about one customer.",
    )
    async def audit_log(
        self,
        info: Info,
        first: int = 50,
        after: str | None = None,
        customer_external_id: str | None = None,
    ) -> Connection[AuditEntry]:
        limit, before_id = page_size(first), decode_cursor(after)
        rows = await info.context.run(
            lambda s: service.page(
                s, before_id=before_id, limit=limit + 1, customer_external_id=customer_external_id
            )
        )
        return connection(rows, limit, lambda r: r.id, lambda r: AuditEntry(model=r))
