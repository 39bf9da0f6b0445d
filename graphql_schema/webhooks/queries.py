from __future__ import annotations

import strawberry

from app.errors import NotFound
from app.webhooks import repository
from app.webhooks.models import EVENT_TYPES, DeliveryStatus
from app.webhooks.models import WebhookDelivery as DeliveryModel
from app.webhooks.models import WebhookEndpoint as EndpointModel
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.pagination import Connection, Page, paged, row_id
from graphql_schema.permissions import CanRead
from graphql_schema.webhooks.loaders import webhook_loaders
from graphql_schema.webhooks.types import WebhookDelivery, WebhookEndpoint


def parse_id(value: strawberry.ID, what: str, field: str = "id") -> int:
    found = row_id(value)
    if found is None:
        raise NotFound(field, f"no {what} with id {value}")
    return found


@strawberry.type
class WebhookQueries:
    @field(
        permission_classes=[CanRead],
        graphql_type=list[WebhookEndpoint],
        description="Every webhook endpoint.",
    )
    async def webhook_endpoints(self, info: Info) -> list[EndpointModel]:
        return await info.context.run(repository.endpoints)

    @field(permission_classes=[CanRead], description="Event types endpoints may want.")
    def webhook_event_types(self) -> list[str]:
        return list(EVENT_TYPES)

    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[WebhookDelivery],
        description="The delivery log, newest first.",
    )
    async def webhook_deliveries(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        endpoint_id: strawberry.ID | None = None,
        status: DeliveryStatus | None = None,
    ) -> Connection[DeliveryModel]:
        async def fetch(page: Page[int]) -> list[DeliveryModel]:
            endpoint = parse_id(endpoint_id, "endpoint", "endpointId") if endpoint_id else None
            rows = await info.context.run(
                lambda s: repository.deliveries_page(
                    s,
                    before_id=page.after,
                    limit=page.limit,
                    endpoint_id=endpoint,
                    status=status,
                )
            )
            events = webhook_loaders(info).event
            events.prime_many({delivery.event_id: event for delivery, event in rows})
            return [delivery for delivery, _ in rows]

        return await paged(first, after, fetch)
