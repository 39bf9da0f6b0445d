from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry import Parent
from strawberry.scalars import JSON

from app.errors import DomainError
from app.metering.models import Aggregation, BillableMetric
from app.metering.models import RejectedEvent as RejectedEventModel
from app.metering.outcomes import EventResult as EventResultValue
from app.metering.outcomes import Outcome, Status
from app.metering.outcomes import WalletBalance as DebitedWallet
from app.metering.repository import EventRow
from graphql_schema.fields import Reads
from graphql_schema.scalars import Credits

strawberry.enum(Aggregation, description="How a metric turns events into units.")
strawberry.enum(Status, name="EventStatus", description="What became of one event.")


@strawberry.type(description='What is counted, and how its units read ("10 reports generated").')
class Metric:
    is_type_of = Reads(BillableMetric)

    id: strawberry.ID
    code: str
    name: str
    description: str
    unit_singular: str = strawberry.field(description='The unit of one, e.g. "report generated".')
    unit_plural: str = strawberry.field(description='The unit of many, e.g. "reports generated".')
    aggregation: Aggregation
    property: str | None = strawberry.field(
        description="The event property aggregated (none for count)."
    )
    created_at: datetime
    updated_at: datetime


@strawberry.input(
    description="One usage event. Problems with its values (an unknown customer or metric, a "
    "property that is not a number, a timestamp outside the window) reject this event only."
)
class EventInput:
    transaction_id: str = strawberry.field(
        description="Your idempotency key: an event with a known transactionId is a duplicate."
    )
    customer_external_id: str
    metric_code: str
    timestamp: datetime | None = strawberry.field(
        default=None,
        description="When the usage happened (default: now). At most `backdatingDays` (7) in "
        "the past and a few minutes in the future; with a time zone.",
    )
    properties: JSON | None = strawberry.field(
        default=None, description='A JSON object, e.g. {"gb": 2.5} for a sum of gb.'
    )


def _as_given(cls: type, value: Any, context: Any) -> Any:
    """An EventInput reaches the resolver as its GraphQL value (a dict keyed by the schema's
    field names, coerced by graphql-core): ``app.metering.validation`` checks each event, so
    Strawberry's per-field conversion (~25 ms per 1,000 events) is not done twice."""
    return value


EventInput.__strawberry_definition__.from_input = _as_given  # type: ignore[attr-defined]


@strawberry.type(description="Why an event was rejected, naming its field.")
class EventError:
    code: str
    field: str | None
    message: str

    @classmethod
    def of(cls, error: DomainError) -> EventError:
        return cls(code=error.code, field=error.field, message=error.message)


@strawberry.type
class EventResult:
    """Built for each event from the ingest's result, not read from it: its error is an
    exception (graphql-core raises one returned as a value), and a resolver per event (1,000 a
    batch) costs more than the object (``python -m bench.ingest``)."""

    index: int = strawberry.field(description="Position of the event in the request.")
    transaction_id: str | None
    status: Status
    error: EventError | None

    @classmethod
    def of(cls, value: EventResultValue) -> EventResult:
        error = EventError.of(value.error) if value.error is not None else None
        return cls(
            index=value.position,
            transaction_id=value.transaction_id,
            status=value.status,
            error=error,
        )


@strawberry.type(description="A wallet's balance right after the batch debited it.")
class WalletBalance:
    is_type_of = Reads(DebitedWallet)

    wallet_id: strawberry.ID
    customer_external_id: str
    currency: str
    balance: Credits


@strawberry.type
class IngestEventsPayload:
    accepted: int
    duplicates: int
    rejected: int
    results: list[EventResult] = strawberry.field(description="One per event, in order.")
    wallets: list[DebitedWallet] = strawberry.field(
        graphql_type=list[WalletBalance], description="Every wallet the batch debited."
    )

    @classmethod
    def of(cls, outcome: Outcome) -> IngestEventsPayload:
        return cls(
            accepted=outcome.count(Status.ACCEPTED),
            duplicates=outcome.count(Status.DUPLICATE),
            rejected=outcome.count(Status.REJECTED),
            results=[EventResult.of(r) for r in outcome.results],
            wallets=outcome.wallets,
        )


def _transaction_id(row: Parent[EventRow]) -> str:
    return row.event.transaction_id


def _timestamp(row: Parent[EventRow]) -> datetime:
    return row.event.timestamp


def _properties(row: Parent[EventRow]) -> JSON:
    return cast(JSON, row.event.properties)


def _batch_id(row: Parent[EventRow]) -> strawberry.ID:
    return strawberry.ID(str(row.event.batch_id))


@strawberry.type(description="One stored usage event.")
class UsageEvent:
    """Read from an ``app.metering.repository.EventRow``: the event with its customer's external
    id and its metric's code (the event's own fields are one level down)."""

    is_type_of = Reads(EventRow)

    transaction_id: str = strawberry.field(
        resolver=_transaction_id, description="The sender's idempotency key."
    )
    customer_external_id: str
    metric_code: str
    timestamp: datetime = strawberry.field(
        resolver=_timestamp, description="When the usage happened."
    )
    properties: JSON = strawberry.field(resolver=_properties)
    batch_id: strawberry.ID = strawberry.field(
        resolver=_batch_id, description="The ingest request that stored it."
    )


@strawberry.enum(description="Which API received an event.")
class EventSource(Enum):
    """The API's own enum: the domain keeps the source as text (``RejectedEvent.source``)."""

    REST = "rest"
    GRAPHQL = "graphql"


def _rejection(rejected: Parent[RejectedEventModel]) -> EventError:
    return EventError(code=rejected.code, field=rejected.field, message=rejected.message)


@strawberry.type(
    description="An event a batch refused: why (its field and message), and what was "
    "sent (its JSON, cut to about 4 KB)."
)
class RejectedEvent:
    is_type_of = Reads(RejectedEventModel)

    id: strawberry.ID
    received_at: datetime
    source: EventSource
    api_key_id: strawberry.ID | None
    transaction_id: str | None
    customer_external_id: str | None
    metric_code: str | None
    error: EventError = strawberry.field(resolver=_rejection)
    raw: str = strawberry.field(description="The event as sent, as JSON text (cut to about 4 KB).")
