from __future__ import annotations

import base64
from datetime import datetime

import strawberry

from app.errors import ValidationFailed
from app.metering import repository
from app.metering.models import BillableMetric
from app.metering.models import RejectedEvent as RejectedEventModel
from app.metering.repository import EventRow
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.metering.types import Metric, RejectedEvent, UsageEvent
from graphql_schema.pagination import Connection, Cursors, Page, paged
from graphql_schema.permissions import CanRead


def event_cursor(row: EventRow) -> str:
    """An event's place in the newest-first order: its time and transaction id."""
    key = f"ev:{row.event.timestamp.isoformat()}|{row.event.transaction_id}"
    return base64.urlsafe_b64encode(key.encode()).decode()


def decode_event_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        kind, _, rest = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        moment, separator, transaction_id = rest.partition("|")
        if kind == "ev" and separator:
            found = datetime.fromisoformat(moment)
            if found.tzinfo is not None:
                return found, transaction_id
    except ValueError:  # binascii.Error, UnicodeDecodeError and a bad time are ValueErrors
        pass
    raise ValidationFailed("after", "`after` is not a cursor this API gave out")


EVENT_CURSORS = Cursors(decode_event_cursor, event_cursor)


@strawberry.type
class MeteringQueries:
    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[Metric],
        description="Billable metrics, oldest first.",
    )
    async def metrics(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[BillableMetric]:
        async def fetch(page: Page[int]) -> list[BillableMetric]:
            return await info.context.run(
                lambda s: repository.page(s, after_id=page.after, limit=page.limit)
            )

        return await paged(first, after, fetch)

    @field(
        permission_classes=[CanRead], graphql_type=Metric | None, description="One metric by code."
    )
    async def metric(self, info: Info, code: str) -> BillableMetric | None:
        return await info.context.run(lambda s: repository.by_code(s, code))

    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[UsageEvent],
        description="Stored usage events, newest first (by their timestamp); optionally one "
        "customer's (by external id) and one metric's (by code).",
    )
    async def events(
        self,
        info: Info,
        customer_external_id: str | None = None,
        metric_code: str | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> Connection[EventRow]:
        async def fetch(page: Page[tuple[datetime, str]]) -> list[EventRow]:
            return await info.context.run(
                lambda s: repository.events_page(
                    s,
                    customer_external_id=customer_external_id,
                    metric_code=metric_code,
                    after=page.after,
                    limit=page.limit,
                )
            )

        return await paged(first, after, fetch, cursors=EVENT_CURSORS)

    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[RejectedEvent],
        description="Events that ingest batches refused, newest first, with why.",
    )
    async def rejected_events(
        self, info: Info, first: int = 50, after: str | None = None
    ) -> Connection[RejectedEventModel]:
        async def fetch(page: Page[int]) -> list[RejectedEventModel]:
            return await info.context.run(
                lambda s: repository.rejected_page(s, after_id=page.after, limit=page.limit)
            )

        return await paged(first, after, fetch)
