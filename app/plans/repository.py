from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.plans.errors import NotFound
from app.plans.models import (
    Charge,
    ChargeTier,
    Plan,
    Subscription,
    SubscriptionStatus,
    SubscriptionUsage,
)


async def find_plan(session: AsyncSession, code: str) -> Plan | None:
    return (await session.exec(select(Plan).where(Plan.code == code))).one_or_none()


async def plan_by_code(session: AsyncSession, code: str, field: str = "code") -> Plan:
    found = await find_plan(session, code)
    if found is None:
        raise NotFound(field, f"no plan with code '{code}'")
    return found


async def plans_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Plan]:
    return list((await session.exec(select(Plan).where(col(Plan.id).in_(ids)))).all())


async def plans_page(session: AsyncSession, *, after_id: int | None, limit: int) -> list[Plan]:
    statement = select(Plan).order_by(col(Plan.id)).limit(limit)
    if after_id is not None:
        statement = statement.where(col(Plan.id) > after_id)
    return list((await session.exec(statement)).all())


async def charges_of_plans(session: AsyncSession, plan_ids: Sequence[int]) -> list[Charge]:
    statement = select(Charge).where(col(Charge.plan_id).in_(plan_ids)).order_by(col(Charge.id))
    return list((await session.exec(statement)).all())


async def tiers_of(session: AsyncSession, charge_ids: Sequence[int]) -> list[ChargeTier]:
    statement = (
        select(ChargeTier)
        .where(col(ChargeTier.charge_id).in_(charge_ids))
        .order_by(col(ChargeTier.charge_id), col(ChargeTier.position))
    )
    return list((await session.exec(statement)).all())


async def subscription(
    session: AsyncSession, subscription_id: int, *, lock: bool = False
) -> Subscription:
    found = await session.get(
        Subscription,
        subscription_id,
        with_for_update=lock,
        populate_existing=lock,
    )
    if found is None:
        raise NotFound("id", f"no subscription with id {subscription_id}")
    return found


async def subscriptions_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Subscription]:
    statement = select(Subscription).where(col(Subscription.id).in_(ids))
    return list((await session.exec(statement)).all())


async def live_subscription(session: AsyncSession, customer_id: int) -> Subscription | None:
    statement = select(Subscription).where(
        Subscription.customer_id == customer_id,
        Subscription.status != SubscriptionStatus.TERMINATED,
    )
    return (await session.exec(statement)).one_or_none()


async def subscriptions_page(
    session: AsyncSession,
    *,
    customer_id: int | None,
    statuses: Sequence[SubscriptionStatus] | None,
    after_id: int | None,
    limit: int,
) -> list[Subscription]:
    statement = select(Subscription).order_by(col(Subscription.id)).limit(limit)
    if customer_id is not None:
        statement = statement.where(Subscription.customer_id == customer_id)
    if statuses:
        statement = statement.where(col(Subscription.status).in_([s.value for s in statuses]))
    if after_id is not None:
        statement = statement.where(col(Subscription.id) > after_id)
    return list((await session.exec(statement)).all())


async def usage_of_periods(
    session: AsyncSession, periods: Sequence[tuple[int, datetime]]
) -> list[SubscriptionUsage]:
    """Usage rows of (subscription id, period start) pairs: one indexed read."""
    statement = select(SubscriptionUsage).where(
        tuple_(col(SubscriptionUsage.subscription_id), col(SubscriptionUsage.period_start)).in_(
            list(periods)
        )
    )
    return list((await session.exec(statement)).all())
