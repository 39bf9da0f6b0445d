"""Terminating a subscription: the status change and its final invoice, in one transaction.

Termination ends the billing period running now, at once, and issues its **final invoice**
through the period-end path (``invoices.close_period``, the same lines and collection as the
``billing.invoice_period_end`` job): the period's money usage minus what its threshold invoices
already billed, plus the base fee prorated to the elapsed share of the period (billed in arrears,
``lines.base_fee``). Credit-priced usage was debited as it happened and adds nothing. Periods
that ended before but were not rolled yet get their ordinary period-end jobs (``periods.roll``).
The final invoice is a ``period_end`` invoice whose period ends at the termination; the period's
row is closed, and the period-end sweep skips terminated subscriptions, so the period is never
invoiced again. Nothing owed works as at period end: no lines, no invoice; lines that net to
0.00, an invoice paid at once.

Terminating a terminated subscription changes nothing (and invoices nothing). Plans that bill
no money (credit charges only) get no invoice.

Lock order: the paying wallet (when the subscription pays with credits), the subscription, its
periods, the invoice sequence — as the period-end job (wallet, period) and ``close_due``
(subscription, period).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.billing import collection, invoices, periods, repository
from app.config import Settings
from app.plans import repository as subscriptions
from app.plans import service as plans
from app.plans.models import Plan, Subscription, SubscriptionStatus
from app.plans.periods import period_containing


async def terminate(
    session: AsyncSession, subscription_id: int, settings: Settings, now: datetime
) -> Subscription:
    """Terminate the subscription now and issue its final invoice (once)."""
    found = await subscriptions.subscription(session, subscription_id)
    if found.status is SubscriptionStatus.TERMINATED:
        return found
    plan = await session.get(Plan, found.plan_id)
    assert plan is not None
    wallet = await collection.payer_wallet(session, found, plan.currency)
    locked = await subscriptions.subscription(session, subscription_id, lock=True)
    if locked.status is SubscriptionStatus.TERMINATED:
        return locked  # a concurrent termination committed first: it invoiced
    terminated = await plans.set_status(
        session, subscription_id, SubscriptionStatus.TERMINATED, now
    )
    bills = await periods.bills_money(session, plan)
    await periods.roll(session, terminated, plan, bills, now)
    if bills:
        current = period_containing(terminated.anchor, plan.interval, now)
        period_id = await repository.open_period(
            session, subscription_id, current.start, current.end, now
        )
        period = await repository.lock_period(session, period_id)
        if period is not None and period.closed_at is None:
            await invoices.close_period(
                session, terminated, plan, wallet, period, settings, now, ended_at=now
            )
    return terminated
