from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from app.errors import DomainError
from app.metering.models import BillableMetric
from app.metering.models import RejectedEvent as RejectedEventModel
from app.metering.outcomes import EventResult as EventResultValue
from app.metering.outcomes import Outcome, Status
from app.metering.repository import EventRow
from graphql_schema.scalars import Credits


@strawberry.enum(name="Aggregation", description="How a metric turns events into units.")
class AggregationEnum(Enum):
    COUNT = "count"
    SUM = "sum"
    MAX = "max"
    UNIQUE_COUNT = "unique_count"
    LATEST = "latest"


@strawberry.type(description='What is counted, and how its units read ("10 reports generated").')
class Metric:
    model: strawberry.Private[BillableMetric]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def code(self) -> str:
        return self.model.code

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field
    def description(self) -> str:
        return self.model.description

    @strawberry.field(description='The unit of one, e.g. "report generated".')
    def unit_singular(self) -> str:
        return self.model.unit_singular

    @strawberry.field(description='The unit of many, e.g. "reports generated".')
    def unit_plural(self) -> str:
        return self.model.unit_plural

    @strawberry.field
    def aggregation(self) -> AggregationEnum:
        return AggregationEnum(self.model.aggregation.value)

    @strawberry.field(description="The event property aggregated (none for count).")
    def property(self) -> str | None:
        return self.model.property

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def updated_at(self) -> datetime:
        return self.model.updated_at


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


@strawberry.enum(description="What became of one event.")
class EventStatus(Enum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


STATUSES = {status.value: EventStatus(status.value) for status in Status}


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
    index: int = strawberry.field(description="Position of the event in the request.")
    transaction_id: str | None
    status: EventStatus
    error: EventError | None

    @classmethod
    def of(cls, value: EventResultValue) -> EventResult:
        error = EventError.of(value.error) if value.error is not None else None
        return cls(
            index=value.position,
            transaction_id=value.transaction_id,
            status=STATUSES[value.status.value],
            error=error,
        )


@strawberry.type(description="A wallet's balance right after the batch debited it.")
class WalletBalance:
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
    wallets: list[WalletBalance] = strawberry.field(description="Every wallet the batch debited.")

    @classmethod
    def of(cls, outcome: Outcome) -> IngestEventsPayload:
        return cls(
            accepted=outcome.count(Status.ACCEPTED),
            duplicates=outcome.count(Status.DUPLICATE),
            rejected=outcome.count(Status.REJECTED),
            results=[EventResult.of(r) for r in outcome.results],
            wallets=[
                WalletBalance(
                    wallet_id=strawberry.ID(str(w.wallet_id)),
                    customer_external_id=w.customer_external_id,
                    currency=w.currency,
                    balance=Decimal(w.balance),
                )
                for w in outcome.wallets
            ],
        )


@strawberry.type(description="One stored usage event.")
class UsageEvent:
    row: strawberry.Private[EventRow]

    @strawberry.field(description="The sender's idempotency key.")
    def transaction_id(self) -> str:
        return self.row.event.transaction_id

    @strawberry.field
    def customer_external_id(self) -> str:
        return self.row.customer_external_id

    @strawberry.field
    def metric_code(self) -> str:
        return self.row.metric_code

    @strawberry.field(description="When the usage happened.")
    def timestamp(self) -> datetime:
        return self.row.event.timestamp

    @strawberry.field
    def properties(self) -> JSON:
        return cast(JSON, self.row.event.properties)

    @strawberry.field(description="The ingest request that stored it.")
    def batch_id(self) -> strawberry.ID:
        return strawberry.ID(str(self.row.event.batch_id))


@strawberry.enum(description="Which API received an event.")
class EventSource(Enum):
    REST = "rest"
    GRAPHQL = "graphql"


@strawberry.type(
    description="An event a batch refused: why (its field and message), and what was "
    "sent (its JSON, cut to about 4 KB)."
)
class RejectedEvent:
    model: strawberry.Private[RejectedEventModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def received_at(self) -> datetime:
        return self.model.received_at

    @strawberry.field
    def source(self) -> EventSource:
        return EventSource(self.model.source)

    @strawberry.field
    def api_key_id(self) -> strawberry.ID | None:
        key = self.model.api_key_id
        return strawberry.ID(str(key)) if key is not None else None

    @strawberry.field
    def transaction_id(self) -> str | None:
        return self.model.transaction_id

    @strawberry.field
    def customer_external_id(self) -> str | None:
        return self.model.customer_external_id

    @strawberry.field
    def metric_code(self) -> str | None:
        return self.model.metric_code

    @strawberry.field
    def error(self) -> EventError:
        return EventError(code=self.model.code, field=self.model.field, message=self.model.message)

    @strawberry.field(description="The event as sent, as JSON text (cut to about 4 KB).")
    def raw(self) -> str:
        return self.model.raw
