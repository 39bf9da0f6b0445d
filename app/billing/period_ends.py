"""Rolling subscriptions into their next billing period, on the clock.

``close_due`` (the ``billing.close_periods`` job, on the scheduler) takes the live
subscriptions whose period has ended (``next_billing_at`` reached; rows locked, others' skipped)
and, for each ended period of a plan that bills money (a base fee or money charges), opens the
period's row and writes a ``billing.invoice_period_end`` job; then it moves
``next_billing_at`` to the end of the period now running. Usage counters are kept per period,
so nothing else has to be reset. A subscription that predates progressive billing (no
``next_billing_at``) starts from the period running now. A subscription with a downgrade
scheduled (``next_plan_id``) also gets its ``billing.switch_plan`` job, at the period's end
(``plan_switches``).

Terminated subscriptions are never due: termination (``termination``) rolls the subscription
itself and closes the period running then with the final invoice, so no period of theirs is
invoiced twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox, plans
from app.billing import repository
from app.db import sql
from app.plans import ChargePricing, Period, Plan, Subscription, billing_period, period_containing

INVOICE_PERIOD_END = "billing.invoice_period_end"
SWITCH_PLAN = "billing.switch_plan"  # a downgrade scheduled for the period's end (plan_switches)
INSTANT = timedelta(microseconds=1)

DUE = text(sql.load("app.billing", "due_periods"))


async def close_due(session: AsyncSession, now: datetime, limit: int = 500) -> int:
    """Queue the period-end invoices of every ended period; returns how many were queued."""
    found = await (await session.connection()).execute(DUE, {"now": now, "limit": limit})
    bills: dict[int, bool] = {}
    queued = 0
    for (subscription_id,) in found.all():
        subscription = await plans.subscription(session, subscription_id, lock=True)
        plan = await session.get(Plan, subscription.plan_id)
        assert plan is not None and plan.id is not None
        if plan.id not in bills:
            bills[plan.id] = await bills_money(session, plan)
        switch_at = subscription.next_billing_at if subscription.next_plan_id else None
        queued += await roll(session, subscription, plan, bills[plan.id], now)
        if switch_at is not None:
            data = {"subscription_id": subscription_id, "at": switch_at.isoformat()}
            await outbox.enqueue(session, SWITCH_PLAN, data, now)
    return queued


async def bills_money(session: AsyncSession, plan: Plan) -> bool:
    """Does the plan invoice money (a base fee, a commitment or money charges)?"""
    assert plan.id is not None
    if plan.base_fee_minor > 0 or plan.commitment_minor > 0:
        return True
    charges = await plans.charges_of_plans(session, [plan.id])
    return any(c.pricing is ChargePricing.MONEY for c in charges)


def ended(subscription: Subscription, plan: Plan, now: datetime) -> list[Period]:
    """The periods that ended since ``next_billing_at``, oldest first. Pure."""
    periods = []
    end = subscription.next_billing_at
    while end is not None and end <= now:
        period = billing_period(
            subscription.anchor, subscription.started_at, plan.interval, end - INSTANT
        )
        periods.append(period)
        end = period_containing(subscription.anchor, plan.interval, end).end
    return periods


async def roll(
    session: AsyncSession, subscription: Subscription, plan: Plan, bills: bool, now: datetime
) -> int:
    """Queue the period-end invoices of the (locked) subscription's ended periods when its plan
    ``bills`` money, and move it into the period running now; how many were queued."""
    assert subscription.id is not None
    periods = ended(subscription, plan, now)
    for period in periods if bills else []:
        period_id = await repository.open_period(
            session, subscription.id, period.start, period.end, now
        )
        await outbox.enqueue(session, INVOICE_PERIOD_END, {"period_id": period_id}, now)
    subscription.next_billing_at = period_containing(subscription.anchor, plan.interval, now).end
    subscription.updated_at = now
    session.add(subscription)
    await session.flush()
    return len(periods) if bills else 0
