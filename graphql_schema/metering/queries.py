from __future__ import annotations

import strawberry

from app.metering import repository
from graphql_schema.context import Info
from graphql_schema.metering.types import Metric
from graphql_schema.pagination import Connection, connection, decode_cursor, page_size
from graphql_schema.permissions import CanRead


@strawberry.type
class MeteringQueries:
    @strawberry.field(permission_classes=[CanRead], description="Billable metrics, oldest first.")
    async def metrics(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[Metric]:
        limit, after_id = page_size(first), decode_cursor(after)
        rows = await info.context.run(
            lambda s: repository.page(s, after_id=after_id, limit=limit + 1)
        )
        return connection(rows, limit, lambda r: r.id, lambda r: Metric(model=r))

    @strawberry.field(permission_classes=[CanRead], description="One metric by code.")
    async def metric(self, info: Info, code: str) -> Metric | None:
        found = await info.context.run(lambda s: repository.by_code(s, code))
        return Metric(model=found) if found else None
