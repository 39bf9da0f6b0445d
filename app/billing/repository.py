from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text, tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app import metering, plans
from app.billing.models import BillingPeriod, ThresholdCrossing
from app.db import sql
from app.invoices import InvoiceType
from app.metering import BillableMetric
from app.plans import ChargePricing, MoneyPrice, SubscriptionUsage, TierRow, money_price

USAGE_TYPES = (InvoiceType.THRESHOLD, InvoiceType.PERIOD_END)

OPEN_PERIOD = text(sql.load("app.billing", "open_period"))


async def lock_crossing(session: AsyncSession, crossing_id: int) -> ThresholdCrossing | None:
    statement = (
        select(ThresholdCrossing)
        .where(ThresholdCrossing.id == crossing_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def lock_period(session: AsyncSession, period_id: int) -> BillingPeriod | None:
    statement = (
        select(BillingPeriod)
        .where(BillingPeriod.id == period_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def open_period(
    session: AsyncSession, subscription_id: int, start: datetime, end: datetime, now: datetime
) -> int:
    """The id of the subscription's period starting at ``start`` (created when missing)."""
    found = await (await session.connection()).execute(
        OPEN_PERIOD, {"s": subscription_id, "start": start, "end": end, "now": now}
    )
    return int(found.scalar_one())


async def periods_of(
    session: AsyncSession, keys: Sequence[tuple[int, datetime]]
) -> list[BillingPeriod]:
    """Billing periods by (subscription id, period start)."""
    statement = select(BillingPeriod).where(
        tuple_(col(BillingPeriod.subscription_id), col(BillingPeriod.period_start)).in_(list(keys))
    )
    return list((await session.exec(statement)).all())


async def money_prices(session: AsyncSession, plan_id: int) -> dict[int, MoneyPrice]:
    """The plan's money prices by metric id (the same prices the catalog holds)."""
    charges = [
        c
        for c in await plans.charges_of_plans(session, [plan_id])
        if c.pricing is ChargePricing.MONEY
    ]
    tiers: dict[int, list[TierRow]] = defaultdict(list)
    for tier in await plans.tiers_of(session, [c.id for c in charges if c.id is not None]):
        tiers[tier.charge_id].append((tier.up_to, tier.unit_price, tier.flat_fee, tier.rate))
    return {c.metric_id: money_price(c, tiers[c.id or 0]) for c in charges}


async def usage_rows(
    session: AsyncSession, subscription_id: int, start: datetime
) -> list[SubscriptionUsage]:
    statement = (
        select(SubscriptionUsage)
        .where(
            SubscriptionUsage.subscription_id == subscription_id,
            SubscriptionUsage.period_start == start,
        )
        .order_by(col(SubscriptionUsage.metric_id))
    )
    return list((await session.exec(statement)).all())


async def metrics_by_id(session: AsyncSession, ids: Sequence[int]) -> dict[int, BillableMetric]:
    return {m.id: m for m in await metering.metrics_by_ids(session, ids) if m.id is not None}


HAS_OVERDUE = text(
    "SELECT EXISTS (SELECT 1 FROM invoices WHERE subscription_id = :s AND status = 'finalized'"
    " AND type IN ('threshold', 'period_end') AND due_at <= :now)"
)


async def has_overdue(session: AsyncSession, subscription_id: int, now: datetime) -> bool:
    found = await (await session.connection()).execute(
        HAS_OVERDUE, {"s": subscription_id, "now": now}
    )
    return bool(found.scalar_one())
