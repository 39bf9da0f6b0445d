from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.retry import TryAgain
from app.flows.headroom import Headroom
from app.flows.ingest import check_batch, ingest
from app.metering import rejections, service
from app.metering.models import Aggregation, BillableMetric
from app.metering.outcomes import Source
from app.metering.service import MetricInput
from app.metering.validation import GRAPHQL_FIELDS, Window
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.metering.types import EventInput, IngestEventsPayload, Metric
from graphql_schema.permissions import CanIngest, IsAdmin


@strawberry.input
class CreateMetricInput:
    code: str = strawberry.field(description="Events name the metric by this code.")
    name: str
    unit_singular: str = strawberry.field(description='e.g. "report generated"')
    unit_plural: str = strawberry.field(description='e.g. "reports generated"')
    aggregation: Aggregation
    property: str | None = strawberry.field(
        default=None, description="The event property to aggregate (all but count)."
    )
    description: str = ""


@strawberry.input(description="Fields left out are unchanged; code and aggregation are fixed.")
class UpdateMetricInput:
    code: str
    name: str | None = None
    unit_singular: str | None = None
    unit_plural: str | None = None
    description: str | None = None


@strawberry.type
class MetricPayload:
    metric: BillableMetric = strawberry.field(graphql_type=Metric)


MetricResult: TypeAlias = Annotated[MetricPayload | Failure, strawberry.union("MetricResult")]
IngestEventsResult: TypeAlias = Annotated[
    IngestEventsPayload | Failure, strawberry.union("IngestEventsResult")
]


@strawberry.type
class MeteringMutations:
    @mutation(permission_classes=[IsAdmin], description="Define a billable metric.")
    async def create_metric(self, info: Info, input: CreateMetricInput) -> MetricResult:
        now = info.context.now

        async def work(session: AsyncSession) -> MetricPayload:
            data = MetricInput(
                code=input.code,
                name=input.name,
                unit_singular=input.unit_singular,
                unit_plural=input.unit_plural,
                aggregation=input.aggregation,
                property=input.property,
                description=input.description,
            )
            return MetricPayload(metric=await service.create_metric(session, data, now))

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def update_metric(self, info: Info, input: UpdateMetricInput) -> MetricResult:
        now = info.context.now

        async def work(session: AsyncSession) -> MetricPayload:
            metric = await service.update_metric(
                session,
                input.code,
                now,
                name=input.name,
                description=input.description,
                unit_singular=input.unit_singular,
                unit_plural=input.unit_plural,
            )
            return MetricPayload(metric=metric)

        return await attempt(info, work)

    @mutation(
        permission_classes=[CanIngest],
        description="Record usage: 1 to 1,000 events, each with its own result. Credit-priced "
        "usage debits the wallet in the same transaction, so the balances returned are exact.",
    )
    async def ingest_events(self, info: Info, events: list[EventInput]) -> IngestEventsResult:
        context, settings = info.context, info.context.runtime.settings
        window = Window.around(context.now, settings.backdating_days, settings.future_skew_seconds)
        key_id = context.principal.key_id if context.principal else None
        source = Source("graphql", key_id, GRAPHQL_FIELDS)

        headroom = Headroom()

        async def work(session: AsyncSession) -> IngestEventsPayload:
            batch = check_batch(list(events))
            catalog = context.runtime.catalog
            outcome = await ingest(session, catalog, batch, source, window, headroom)
            refused = rejections.refused(batch, outcome, source)
            await rejections.record(session, refused, window.now)
            return IngestEventsPayload.of(outcome)

        return await attempt(info, work, again=TryAgain)
