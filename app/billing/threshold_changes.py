"""Thresholds act when they change, not at the next event.

A change to the thresholds that apply to a subscription — its own set (set, lowered, raised),
cleared back to its plan's, or its plan's (for every live subscription that follows the plan) —
is checked against the usage of the period running now, in the change's transaction, by the
rule the ingest applies to every batch (``progressive.crossing``): when the usage has reached a
level of the new set above the highest level invoiced in the period, the crossing is recorded
and its ``billing.invoice_threshold`` job written to the outbox (``progressive.cross``), so the
threshold invoice — all usage to date minus what earlier threshold invoices billed — is issued
within the relay's milliseconds of the commit. Raising thresholds reaches no new level: nothing
is issued, and what was invoiced stays. A usage that has already passed a level of the raised
set that was never invoiced (50.00 → 60.00 at 70.00 of usage) is invoiced at once, as the next
event would have invoiced it.

Lock order: the subscription (when one changed), then the period rows in (subscription, start)
order, as the ingest locks them; a batch holding a period row is waited for, so its usage is
counted. A batch already in flight when the change commits was priced with the thresholds it read
before; the next one reads the new set.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import asyncpg
from sqlmodel.ext.asyncio.session import AsyncSession

from app.billing import progressive
from app.db import sql
from app.db.engine import driver
from app.plans import Plan, Subscription, Thresholds, thresholds_of

RUNNING = sql.load("app.billing", "running_period")

FOLLOWING = sql.load("app.billing", "following_periods")


def applying(subscription: Subscription, plan: Plan) -> Thresholds:
    """The subscription's own thresholds, else its plan's."""
    if subscription.threshold_amounts is not None:
        return thresholds_of(subscription.threshold_amounts, subscription.threshold_recurring)
    return thresholds_of(plan.threshold_amounts, plan.threshold_recurring)


async def subscription_changed(
    session: AsyncSession, subscription: Subscription, plan: Plan, now: datetime
) -> list[progressive.Crossing]:
    """Act on the (locked, flushed) subscription's thresholds as they now stand."""
    connection = await driver(session)
    rows = await connection.fetch(RUNNING, subscription.id, now)
    return await _act(session, rows, applying(subscription, plan), now)


async def plan_changed(
    session: AsyncSession, plan: Plan, now: datetime
) -> list[progressive.Crossing]:
    """Act on the (flushed) plan's thresholds for every live subscription that follows them."""
    connection = await driver(session)
    rows = await connection.fetch(FOLLOWING, plan.id, now)
    chosen = thresholds_of(plan.threshold_amounts, plan.threshold_recurring)
    return await _act(session, rows, chosen, now)


async def _act(
    session: AsyncSession, rows: Sequence[asyncpg.Record], chosen: Thresholds, now: datetime
) -> list[progressive.Crossing]:
    found = [c for c in (progressive.crossing(row, chosen) for row in rows) if c is not None]
    if found:
        await progressive.cross(await driver(session), found, now)
    return found
