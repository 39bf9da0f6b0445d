from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.metering.errors import NotFound
from app.metering.models import BillableMetric


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
