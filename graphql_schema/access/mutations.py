from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.access import service, tokens
from app.access.models import ApiKey as ApiKeyModel
from app.customers import repository as customers
from app.errors import NotFound
from graphql_schema.access.types import ApiKey
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.pagination import row_id
from graphql_schema.permissions import IsAdmin


@strawberry.type
class ApiKeyCreated:
    api_key: ApiKeyModel = strawberry.field(graphql_type=ApiKey)
    secret: str = strawberry.field(
        description="Shown only now. Send it as 'Authorization: Bearer …'."
    )


@strawberry.type
class ApiKeyPayload:
    api_key: ApiKeyModel = strawberry.field(graphql_type=ApiKey)


@strawberry.type(description="A short-lived token a browser uses to act for one customer.")
class CustomerToken:
    token: str = strawberry.field(
        description="Send it as 'Authorization: Bearer …' (HTTP) or in connection_init "
        '({"Authorization": "Bearer …"}) on the websocket. It reads only this customer, '
        "subscribes only to its wallets and buys credits only for it."
    )
    expires_at: datetime


ApiKeyCreatedResult: TypeAlias = Annotated[
    ApiKeyCreated | Failure, strawberry.union("ApiKeyCreatedResult")
]
CustomerTokenResult: TypeAlias = Annotated[
    CustomerToken | Failure, strawberry.union("CustomerTokenResult")
]
ApiKeyResult: TypeAlias = Annotated[ApiKeyPayload | Failure, strawberry.union("ApiKeyResult")]


@strawberry.type
class AccessMutations:
    @mutation(
        permission_classes=[IsAdmin],
        description="Mint a customer token (default lifetime: one hour).",
    )
    async def create_customer_token(
        self, info: Info, customer_external_id: str, ttl_seconds: int | None = None
    ) -> CustomerTokenResult:
        runtime = info.context.runtime
        seconds = ttl_seconds or runtime.settings.customer_token_ttl_seconds

        async def work(session: AsyncSession) -> CustomerToken:
            customer = await customers.get_by_external_id(session, customer_external_id)
            assert customer.id is not None
            token, expires = tokens.mint(
                runtime.settings.signing_secret(),
                customer.id,
                customer.external_id,
                runtime.clock.now(),
                timedelta(seconds=seconds),
            )
            return CustomerToken(token=token, expires_at=expires)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin], description="Scopes: admin, ingest, read.")
    async def create_api_key(self, info: Info, name: str, scopes: list[str]) -> ApiKeyCreatedResult:
        now = info.context.now

        async def work(session: AsyncSession) -> ApiKeyCreated:
            key, secret = await service.create(session, name, scopes, now)
            return ApiKeyCreated(api_key=key, secret=secret)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def revoke_api_key(self, info: Info, id: strawberry.ID) -> ApiKeyResult:
        now, keys = info.context.now, info.context.runtime.keys

        async def work(session: AsyncSession) -> ApiKeyPayload:
            key_id = row_id(id)
            if key_id is None:
                raise NotFound("id", f"no API key with id {id}")
            key = await service.revoke(session, key_id, now)
            # Forget cached keys after the commit: before it, a request could re-cache the key.
            info.context.after_commit(keys.forget_all)
            return ApiKeyPayload(api_key=key)

        return await attempt(info, work)
