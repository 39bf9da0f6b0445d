from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.webhooks import endpoints, service
from app.webhooks.endpoints import EndpointChanges, EndpointInput
from app.webhooks.models import WebhookDelivery as DeliveryModel
from app.webhooks.models import WebhookEndpoint as EndpointModel
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.permissions import IsAdmin
from graphql_schema.webhooks.queries import parse_id
from graphql_schema.webhooks.types import WebhookDelivery, WebhookEndpoint


@strawberry.input
class CreateWebhookEndpointInput:
    url: str = strawberry.field(description="http:// or https://")
    event_types: list[str] = strawberry.field(description="See `webhookEventTypes`.")
    secret: str | None = strawberry.field(
        default=None, description="Your signing secret (16+ characters); default: a new one."
    )
    description: str = ""
    active: bool = True


@strawberry.input
class UpdateWebhookEndpointInput:
    id: strawberry.ID
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    active: bool | None = None


@strawberry.type
class CreateWebhookEndpointPayload:
    endpoint: EndpointModel = strawberry.field(graphql_type=WebhookEndpoint)
    secret: str = strawberry.field(description="The signing secret. Shown only here: store it now.")


@strawberry.type
class WebhookEndpointPayload:
    endpoint: EndpointModel = strawberry.field(graphql_type=WebhookEndpoint)


@strawberry.type
class DeleteWebhookEndpointPayload:
    deleted_id: strawberry.ID


@strawberry.type
class WebhookDeliveryPayload:
    delivery: DeliveryModel = strawberry.field(graphql_type=WebhookDelivery)


CreateWebhookEndpointResult: TypeAlias = Annotated[
    CreateWebhookEndpointPayload | Failure, strawberry.union("CreateWebhookEndpointResult")
]
WebhookEndpointResult: TypeAlias = Annotated[
    WebhookEndpointPayload | Failure, strawberry.union("WebhookEndpointResult")
]
DeleteWebhookEndpointResult: TypeAlias = Annotated[
    DeleteWebhookEndpointPayload | Failure, strawberry.union("DeleteWebhookEndpointResult")
]
WebhookDeliveryResult: TypeAlias = Annotated[
    WebhookDeliveryPayload | Failure, strawberry.union("WebhookDeliveryResult")
]


@strawberry.type
class WebhookMutations:
    @mutation(permission_classes=[IsAdmin])
    async def create_webhook_endpoint(
        self, info: Info, input: CreateWebhookEndpointInput
    ) -> CreateWebhookEndpointResult:
        now = info.context.now
        data = EndpointInput(
            url=input.url,
            event_types=input.event_types,
            secret=input.secret,
            description=input.description,
            active=input.active,
        )

        allow_private = info.context.runtime.settings.webhooks_allow_private

        async def work(session: AsyncSession) -> CreateWebhookEndpointPayload:
            endpoint = await endpoints.create(session, data, now, allow_private=allow_private)
            return CreateWebhookEndpointPayload(endpoint=endpoint, secret=endpoint.secret)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def update_webhook_endpoint(
        self, info: Info, input: UpdateWebhookEndpointInput
    ) -> WebhookEndpointResult:
        now = info.context.now
        changes = EndpointChanges(
            url=input.url,
            event_types=input.event_types,
            description=input.description,
            active=input.active,
        )

        allow_private = info.context.runtime.settings.webhooks_allow_private

        async def work(session: AsyncSession) -> WebhookEndpointPayload:
            endpoint_id = parse_id(input.id, "webhook endpoint")
            endpoint = await endpoints.update(
                session, endpoint_id, changes, now, allow_private=allow_private
            )
            return WebhookEndpointPayload(endpoint=endpoint)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Remove an endpoint with its delivery log; pending deliveries are dropped.",
    )
    async def delete_webhook_endpoint(
        self, info: Info, id: strawberry.ID
    ) -> DeleteWebhookEndpointResult:
        async def work(session: AsyncSession) -> DeleteWebhookEndpointPayload:
            await endpoints.delete(session, parse_id(id, "webhook endpoint"))
            return DeleteWebhookEndpointPayload(deleted_id=id)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Send a finished delivery's event to its endpoint again (a new delivery).",
    )
    async def replay_webhook_delivery(self, info: Info, id: strawberry.ID) -> WebhookDeliveryResult:
        now = info.context.now

        async def work(session: AsyncSession) -> WebhookDeliveryPayload:
            delivery = await service.replay(session, parse_id(id, "webhook delivery"), now)
            return WebhookDeliveryPayload(delivery=delivery)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description=(
            "Send a test event (type webhook.test) to one endpoint now, whatever events it "
            "listens to: a new delivery, retried like any other."
        ),
    )
    async def send_test_webhook(self, info: Info, id: strawberry.ID) -> WebhookDeliveryResult:
        now = info.context.now

        async def work(session: AsyncSession) -> WebhookDeliveryPayload:
            delivery = await service.send_test(session, parse_id(id, "webhook endpoint"), now)
            return WebhookDeliveryPayload(delivery=delivery)

        return await attempt(info, work)
