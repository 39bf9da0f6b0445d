"""Webhook endpoints, events and deliveries as the API shows them, read from
``app.webhooks.models`` (plain fields by attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry import Parent
from strawberry.scalars import JSON

from app.webhooks.models import DeliveryStatus
from app.webhooks.models import WebhookDelivery as DeliveryModel
from app.webhooks.models import WebhookEndpoint as EndpointModel
from app.webhooks.models import WebhookEvent as EventModel
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.webhooks.loaders import webhook_loaders

strawberry.enum(DeliveryStatus, name="WebhookDeliveryStatus")


def _secret_hint(endpoint: Parent[EndpointModel]) -> str:
    return "…" + endpoint.secret[-4:]


@strawberry.type(description="Where Tally POSTs signed events.")
class WebhookEndpoint:
    is_type_of = Reads(EndpointModel)

    id: strawberry.ID
    url: str
    event_types: list[str] = strawberry.field(description="The event types it receives.")
    description: str
    active: bool
    secret_hint: str = strawberry.field(
        resolver=_secret_hint, description="The end of the signing secret, to tell secrets apart."
    )
    created_at: datetime
    updated_at: datetime


@strawberry.type(description="Something that happened, as sent to endpoints.")
class WebhookEvent:
    is_type_of = Reads(EventModel)

    public_id: str = strawberry.field(
        name="id", description='The payload\'s "id" ("evt_…"): receivers dedupe by it.'
    )
    type: str
    data: JSON
    created_at: datetime


async def _event(delivery: Parent[DeliveryModel], info: Info) -> EventModel:
    found = await webhook_loaders(info).event.load(delivery.event_id)
    assert found is not None
    return found


@strawberry.type(description="One event sent to one endpoint: the delivery log.")
class WebhookDelivery:
    is_type_of = Reads(DeliveryModel)

    event: EventModel = strawberry.field(resolver=_event, graphql_type=WebhookEvent)
    id: strawberry.ID
    endpoint_id: strawberry.ID
    status: DeliveryStatus = strawberry.field(
        description="PENDING until an attempt succeeds or the last one fails."
    )
    attempts: int
    response_code: int | None = strawberry.field(
        description="The HTTP status of the latest answer."
    )
    last_error: str | None
    next_attempt_at: datetime | None = strawberry.field(
        description="When a pending delivery is tried next."
    )
    last_attempt_at: datetime | None
    replay_of: strawberry.ID | None = strawberry.field(description="The delivery this one replays.")
    created_at: datetime
