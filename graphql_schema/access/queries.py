from __future__ import annotations

import strawberry

from app.access import service
from app.access.models import ApiKey as ApiKeyModel
from graphql_schema.access.types import ApiKey
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.permissions import IsAdmin


@strawberry.type
class AccessQueries:
    @field(permission_classes=[IsAdmin], graphql_type=list[ApiKey])
    async def api_keys(self, info: Info) -> list[ApiKeyModel]:
        return await info.context.run(service.listing)
