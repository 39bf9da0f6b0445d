"""Plan switches: a subscription moving to another plan of the same currency.

* **Upgrade** — the new plan's base fee per day is at least the current one's (compared per year:
  fee × 12 / months of its interval, exact), as Lago decides: it applies **now**. The current
  subscription ends now with its final invoice (``termination.end``): its base fee for the
  days of the period before the day of the switch (that day goes to the new plan, as the base
  fee's day rule says), its money usage so far at the old prices, its true-ups prorated by the
  same days — usage is billed at the switch and starts fresh. A new subscription
  (``plans.succeed``: the same customer, anchor, own thresholds and payment choice) starts now
  on the new plan; its first period bills the day of the switch to the period's end.
* **Downgrade** — a lower fee per day: **scheduled** for the end of the period running
  (``next_plan_id``), cancellable until then (``cancel``). The scheduler's period-end sweep
  (``period_ends.close_due``) queues a ``billing.switch_plan`` job with the period's end; the
  job ends the subscription at that moment (its ended period is invoiced by its ordinary
  period-end job, whole) and starts the successor then. The job is idempotent: a subscription
  that is terminated, or whose scheduled switch was cancelled or already done, is left alone;
  a suspended one keeps its switch for the first period end after it is resumed.
  Usage that arrived between the period's end and the job (the scheduler's delay, seconds) was
  priced by the old plan: its final invoice bills it, with no base fee.

Either announces ``subscription.plan_switched`` (the old and new subscription, the final
invoice). Lock order: the paying wallet, the subscription, its periods — as termination.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, money, plans
from app.billing import collection, proration, termination
from app.billing.usage_invoices import Cut
from app.config import Settings
from app.errors import Conflict
from app.invoices import Invoice
from app.plans import Plan, Subscription, SubscriptionStatus, interval_months, period_containing

SWITCHED_EVENT = "subscription.plan_switched"
SWITCH_PLAN = "billing.switch_plan"
ENDING = "plan switched"


def is_upgrade(current: Plan, new: Plan) -> bool:
    """The new plan's base fee per unit of time is at least the current one's. Pure."""
    per_year_new = new.base_fee_minor * interval_months(current.interval)
    return per_year_new >= current.base_fee_minor * interval_months(new.interval)


def require_live(subscription: Subscription) -> None:
    if subscription.status is SubscriptionStatus.TERMINATED:
        raise Conflict(
            "subscriptionId",
            f"subscription {subscription.id} is terminated: subscribe the customer again",
            code="terminated",
        )
    if subscription.status is SubscriptionStatus.SUSPENDED:
        raise Conflict(
            "subscriptionId",
            f"subscription {subscription.id} is suspended: resume it before switching plans",
            code="suspended",
        )


async def switch_now(
    session: AsyncSession,
    subscription_id: int,
    plan: Plan,
    settings: Settings,
    now: datetime,
    at: datetime | None = None,
) -> Subscription:
    """End the subscription at ``at`` (default now; a period end for a scheduled switch) with
    its final invoice and start its successor on ``plan`` then; the successor."""
    found = await plans.subscription(session, subscription_id)
    current = await session.get(Plan, found.plan_id)
    assert current is not None
    wallet = await collection.payer_wallet(session, found, current.currency)
    locked = await plans.subscription(session, subscription_id, lock=True)
    require_live(locked)
    at = at or now
    full = period_containing(locked.anchor, current.interval, at)
    cut = Cut(at, ENDING, proration.day_start(full.start, at))
    ended, final = await termination.end(session, locked, current, wallet, settings, now, cut)
    successor = await plans.succeed(session, ended, plan, at, now)
    data = _data(ended, successor, current, plan, final)
    await announcements.emit(session, SWITCHED_EVENT, data, now)
    return successor


async def run_scheduled(
    session: AsyncSession, subscription_id: int, at: datetime, settings: Settings, now: datetime
) -> Subscription | None:
    """The ``billing.switch_plan`` job: the scheduled switch of a subscription whose period
    ended at ``at`` (once)."""
    found = await plans.subscription(session, subscription_id)
    if found.status is not SubscriptionStatus.ACTIVE or found.next_plan_id is None:
        return None  # terminated, cancelled, or suspended: waits for a period end once resumed
    plan = await session.get(Plan, found.next_plan_id)
    assert plan is not None
    return await switch_now(session, subscription_id, plan, settings, now, at)


def _data(
    ended: Subscription,
    successor: Subscription,
    current: Plan,
    plan: Plan,
    final: Invoice | None,
) -> dict[str, Any]:
    return {
        "subscription_id": ended.id,
        "next_subscription_id": successor.id,
        "customer_id": ended.customer_id,
        "plan_code": current.code,
        "next_plan_code": plan.code,
        "switched_at": successor.started_at.isoformat(),
        "final_invoice": None
        if final is None
        else {
            "id": final.id,
            "number": final.number,
            "total": money.format_money(final.total_minor, final.currency),
            "currency": final.currency,
        },
    }
