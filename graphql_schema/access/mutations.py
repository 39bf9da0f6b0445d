from __future__ import annotations

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.access import service
from app.errors import NotFound
from graphql_schema.access.types import ApiKey
from graphql_schema.context import Info
from graphql_schema.errors import attempt, result
from graphql_schema.permissions import IsAdmin


@strawberry.type
class ApiKeyCreated:
    api_key: ApiKey
    secret: str = strawberry.field(
        description="Shown only now. Send it as 'Authorization: Bearer …'."
    )


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKey


ApiKeyCreatedResult = result("ApiKeyCreatedResult", ApiKeyCreated)
ApiKeyResult = result("ApiKeyResult", ApiKeyPayload)


@strawberry.type
class AccessMutations:
    @strawberry.mutation(permission_classes=[IsAdmin], description="Scopes: admin, ingest, read.")
    async def create_api_key(self, info: Info, name: str, scopes: list[str]) -> ApiKeyCreatedResult:
        now = info.context.now

        async def work(session: AsyncSession) -> ApiKeyCreated:
            key, secret = await service.create(session, name, scopes, now)
            return ApiKeyCreated(api_key=ApiKey(model=key), secret=secret)

        return await attempt(info, work)

    @strawberry.mutation(permission_classes=[IsAdmin])
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyResult:
        now, keys = info.context.now, info.context.runtime.keys

        async def work(session: AsyncSession) -> ApiKeyPayload:
            if not str(id).isdigit():
                raise NotFound("id", f"no API key with id {id}")
            key = await service.revoke(session, int(id), now)
            keys.forget_all()
            return ApiKeyPayload(api_key=ApiKey(model=key))

        return await attempt(info, work)
