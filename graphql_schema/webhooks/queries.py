from __future__ import annotations

import strawberry

from app.errors import NotFound
from app.webhooks import repository
from app.webhooks.models import EVENT_TYPES, DeliveryStatus
from graphql_schema.context import Info
from graphql_schema.pagination import Connection, Cursors, Page, by_id, paged, row_id
from graphql_schema.permissions import CanRead
from graphql_schema.webhooks.types import (
    WebhookDelivery,
    WebhookDeliveryStatus,
    WebhookEndpoint,
    WebhookEvent,
)


def parse_id(value: strawberry.ID, what: str, field: str = "id") -> int:
    found = row_id(value)
    if found is None:
        raise NotFound(field, f"no {what} with id {value}")
    return found


def delivery_of(row: repository.DeliveryRow) -> WebhookDelivery:
    delivery, event = row
    return WebhookDelivery(model=delivery, event=WebhookEvent(model=event))


DELIVERY_CURSORS: Cursors[int, repository.DeliveryRow] = by_id(lambda row: row[0].id)


@strawberry.type
class WebhookQueries:
    @strawberry.field(permission_classes=[CanRead], description="Every webhook endpoint.")
    async def webhook_endpoints(self, info: Info) -> list[WebhookEndpoint]:
        rows = await info.context.run(repository.endpoints)
        return [WebhookEndpoint(model=row) for row in rows]

    @strawberry.field(permission_classes=[CanRead], description="Event types endpoints may want.")
    def webhook_event_types(self) -> list[str]:
        return list(EVENT_TYPES)

    @strawberry.field(permission_classes=[CanRead], description="The delivery log, newest first.")
    async def webhook_deliveries(
        self,
        info: Info,
        first: int = 20,
        after: str | None = None,
        endpoint_id: strawberry.ID | None = None,
        status: WebhookDeliveryStatus | None = None,
    ) -> Connection[WebhookDelivery]:
        async def fetch(page: Page[int]) -> list[repository.DeliveryRow]:
            endpoint = parse_id(endpoint_id, "endpoint", "endpointId") if endpoint_id else None
            wanted = DeliveryStatus(status.value) if status is not None else None
            return await info.context.run(
                lambda s: repository.deliveries_page(
                    s,
                    before_id=page.after,
                    limit=page.limit,
                    endpoint_id=endpoint,
                    status=wanted,
                )
            )

        return await paged(first, after, fetch, delivery_of, cursors=DELIVERY_CURSORS)
