from __future__ import annotations

import strawberry

from app.access import service
from graphql_schema.access.types import ApiKey
from graphql_schema.context import Info
from graphql_schema.permissions import IsAdmin


@strawberry.type
class AccessQueries:
    @strawberry.field(permission_classes=[IsAdmin])
    async def api_keys(self, info: Info) -> list[ApiKey]:
        return [ApiKey(model=k) for k in await info.context.run(service.listing)]
