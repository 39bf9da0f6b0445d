"""Switching a subscription's plan (``app.billing.plan_switches`` has the rules): checked by
plans (the same currency, another plan, a wallet for credit charges), then an upgrade is done
now by billing (the final invoice, the successor), a downgrade scheduled on the subscription
for its period's end. One transaction; nothing is written when a check fails."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app import billing, plans
from app.config import Settings
from app.errors import NotFound
from app.plans import Plan, Subscription


async def _live(session: AsyncSession, subscription_id: int) -> Subscription:
    try:
        found = await plans.subscription(session, subscription_id)
    except NotFound:
        raise NotFound("subscriptionId", f"no subscription with id {subscription_id}") from None
    billing.require_live(found)
    return found


async def switch_plan(
    session: AsyncSession,
    subscription_id: int,
    plan_code: str,
    settings: Settings,
    now: datetime,
) -> Subscription:
    """Upgrade now (the successor is returned) or schedule a downgrade for the period's end
    (the subscription is returned, its ``next_plan_id`` set)."""
    found = await _live(session, subscription_id)
    plan = await plans.plan_by_code(session, plan_code, "planCode")
    await plans.check_switch(session, found, plan)
    current = await session.get(Plan, found.plan_id)
    assert current is not None
    if billing.is_upgrade(current, plan):
        return await billing.switch_now(session, subscription_id, plan, settings, now)
    locked = await plans.subscription(session, subscription_id, lock=True)
    billing.require_live(locked)
    return await plans.schedule_switch(session, locked, plan, now)


async def cancel_switch(session: AsyncSession, subscription_id: int, now: datetime) -> Subscription:
    """Drop the downgrade scheduled for the period's end (none scheduled: nothing changes)."""
    await _live(session, subscription_id)
    locked = await plans.subscription(session, subscription_id, lock=True)
    billing.require_live(locked)
    if locked.next_plan_id is None:
        return locked
    return await plans.schedule_switch(session, locked, None, now)
