from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.customers import Customer
from app.metering.errors import NotFound
from app.metering.models import BillableMetric, Event, RejectedEvent


async def by_code(session: AsyncSession, code: str) -> BillableMetric | None:
    statement = select(BillableMetric).where(BillableMetric.code == code)
    return (await session.exec(statement)).one_or_none()


async def get_by_code(session: AsyncSession, code: str, field: str = "code") -> BillableMetric:
    metric = await by_code(session, code)
    if metric is None:
        raise NotFound(field, f"no metric with code '{code}'")
    return metric


async def by_codes(session: AsyncSession, codes: Sequence[str]) -> list[BillableMetric]:
    statement = select(BillableMetric).where(col(BillableMetric.code).in_(codes))
    return list((await session.exec(statement)).all())


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[BillableMetric]:
    statement = select(BillableMetric).where(col(BillableMetric.id).in_(ids))
    return list((await session.exec(statement)).all())


async def page(session: AsyncSession, *, after_id: int | None, limit: int) -> list[BillableMetric]:
    statement = select(BillableMetric).order_by(col(BillableMetric.id)).limit(limit)
    if after_id is not None:
        statement = statement.where(col(BillableMetric.id) > after_id)
    return list((await session.exec(statement)).all())


@dataclass(frozen=True)
class EventRow:
    event: Event
    customer_external_id: str
    metric_code: str


async def events_page(
    session: AsyncSession,
    *,
    customer_external_id: str | None,
    metric_code: str | None,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[EventRow]:
    """Events, newest first (time, then transaction id, descending); ``after`` is the last
    (time, transaction id) of the previous page. One customer's go through
    ``ix_events_customer_timestamp``."""
    statement = (
        select(Event, Customer.external_id, BillableMetric.code)
        .join(Customer, col(Customer.id) == col(Event.customer_id))
        .join(BillableMetric, col(BillableMetric.id) == col(Event.metric_id))
        .order_by(col(Event.timestamp).desc(), col(Event.transaction_id).desc())
        .limit(limit)
    )
    if customer_external_id is not None:
        statement = statement.where(col(Customer.external_id) == customer_external_id)
    if metric_code is not None:
        statement = statement.where(col(BillableMetric.code) == metric_code)
    if after is not None:
        statement = statement.where(
            tuple_(col(Event.timestamp), col(Event.transaction_id)) < tuple_(*after)
        )
    found = (await session.exec(statement)).all()
    return [EventRow(event, external_id, code) for event, external_id, code in found]


async def rejected_page(
    session: AsyncSession, *, after_id: int | None, limit: int
) -> list[RejectedEvent]:
    """Rejected events, newest first."""
    statement = select(RejectedEvent).order_by(col(RejectedEvent.id).desc()).limit(limit)
    if after_id is not None:
        statement = statement.where(col(RejectedEvent.id) < after_id)
    return list((await session.exec(statement)).all())
