from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.webhooks.models import WebhookDelivery as DeliveryModel
from app.webhooks.models import WebhookEndpoint as EndpointModel
from app.webhooks.models import WebhookEvent as EventModel


@strawberry.type(description="Where Tally POSTs signed events.")
class WebhookEndpoint:
    model: strawberry.Private[EndpointModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def url(self) -> str:
        return self.model.url

    @strawberry.field(description="The event types it receives.")
    def event_types(self) -> list[str]:
        return list(self.model.event_types)

    @strawberry.field
    def description(self) -> str:
        return self.model.description

    @strawberry.field
    def active(self) -> bool:
        return self.model.active

    @strawberry.field(description="The end of the signing secret, to tell secrets apart.")
    def secret_hint(self) -> str:
        return "…" + self.model.secret[-4:]

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.model.updated_at


@strawberry.type(description="Something that happened, as sent to endpoints.")
class WebhookEvent:
    model: strawberry.Private[EventModel]

    @strawberry.field(description='The payload\'s "id" ("evt_…"): receivers dedupe by it.')
    def id(self) -> str:
        return self.model.public_id

    @strawberry.field
    def type(self) -> str:
        return self.model.type

    @strawberry.field
    def data(self) -> JSON:
        return cast(JSON, self.model.data)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at


@strawberry.enum
class WebhookDeliveryStatus(Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@strawberry.type(description="One event sent to one endpoint: the delivery log.")
class WebhookDelivery:
    model: strawberry.Private[DeliveryModel]
    event: WebhookEvent

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def endpoint_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.endpoint_id))

    @strawberry.field(description="PENDING until an attempt succeeds or the last one fails.")
    def status(self) -> WebhookDeliveryStatus:
        return WebhookDeliveryStatus(self.model.status.value)

    @strawberry.field
    def attempts(self) -> int:
        return self.model.attempts

    @strawberry.field(description="The HTTP status of the latest answer.")
    def response_code(self) -> int | None:
        return self.model.response_code

    @strawberry.field
    def last_error(self) -> str | None:
        return self.model.last_error

    @strawberry.field(description="When a pending delivery is tried next.")
    def next_attempt_at(self) -> datetime | None:
        return self.model.next_attempt_at

    @strawberry.field
    def last_attempt_at(self) -> datetime | None:
        return self.model.last_attempt_at

    @strawberry.field(description="The delivery this one replays.")
    def replay_of(self) -> strawberry.ID | None:
        replayed = self.model.replay_of
        return strawberry.ID(str(replayed)) if replayed is not None else None

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at
