"""Terminating a subscription: the status change and its final invoice, in one transaction.

Termination ends the billing period running now, at once, and issues its **final invoice**
through the period-end path (``usage_invoices.close_period``, the same lines and collection as the
``billing.invoice_period_end`` job): the period's money usage minus what its threshold invoices
already billed, plus the base fee for the days the subscription ran in the period (billed in
arrears, ``lines.base_fee``). Credit-priced usage was debited as it happened and adds nothing.
Periods that ended before but were not rolled yet get their ordinary period-end jobs
(``period_ends.roll``).
The final invoice is a ``period_end`` invoice whose period ends at the termination; the period's
row is closed, and the period-end sweep skips terminated subscriptions, so the period is never
invoiced again. Nothing owed works as at period end: no lines, no invoice; lines that net to
0.00, an invoice paid at once.

Every termination announces itself with the ``subscription.terminated`` webhook (the final
invoice, when there is one, in its data). Terminating a terminated subscription changes nothing
(and invoices and announces nothing). Plans that bill
no money (credit charges only) get no invoice.

Lock order: the paying wallet (when the subscription pays with credits), the subscription, its
periods, the invoice sequence — as the period-end job (wallet, period) and ``close_due``
(subscription, period).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, money, plans
from app.billing import collection, period_ends, repository, usage_invoices
from app.billing.usage_invoices import Cut
from app.config import Settings
from app.customers import Customer
from app.invoices import Invoice
from app.plans import Plan, Subscription, SubscriptionStatus, billing_period
from app.wallets import Wallet

TERMINATED_EVENT = "subscription.terminated"
ENDING = "terminated"


async def terminate(
    session: AsyncSession, subscription_id: int, settings: Settings, now: datetime
) -> Subscription:
    """Terminate the subscription now and issue its final invoice (once)."""
    found = await plans.subscription(session, subscription_id)
    if found.status is SubscriptionStatus.TERMINATED:
        return found
    plan = await session.get(Plan, found.plan_id)
    assert plan is not None
    wallet = await collection.payer_wallet(session, found, plan.currency)
    locked = await plans.subscription(session, subscription_id, lock=True)
    if locked.status is SubscriptionStatus.TERMINATED:
        return locked  # a concurrent termination committed first: it invoiced
    terminated, final = await end(session, locked, plan, wallet, settings, now, Cut(now, ENDING))
    await announcements.emit(
        session, TERMINATED_EVENT, await _data(session, terminated, plan, final), now
    )
    return terminated


async def end(
    session: AsyncSession,
    subscription: Subscription,
    plan: Plan,
    wallet: Wallet | None,
    settings: Settings,
    now: datetime,
    cut: Cut,
) -> tuple[Subscription, Invoice | None]:
    """End the (locked, live) subscription at ``cut.at`` (now, or a period end that just
    passed) and close the period running now with its final invoice; ``wallet``: the payer's,
    locked first. Termination and plan switches end here."""
    assert subscription.id is not None
    ended = await plans.set_status(session, subscription.id, SubscriptionStatus.TERMINATED, now)
    ended.terminated_at = cut.at
    bills = await period_ends.bills_money(session, plan)
    await period_ends.roll(session, ended, plan, bills, now)
    if not bills:
        return ended, None
    current = billing_period(ended.anchor, ended.started_at, plan.interval, now)
    period_id = await repository.open_period(
        session, subscription.id, current.start, current.end, now
    )
    period = await repository.lock_period(session, period_id)
    if period is None or period.closed_at is not None:
        return ended, None
    final = await usage_invoices.close_period(
        session, ended, plan, wallet, period, settings, now, cut=Cut(now, cut.ending, cut.fee_until)
    )
    return ended, final


async def _data(
    session: AsyncSession, subscription: Subscription, plan: Plan, final: Invoice | None
) -> dict[str, Any]:
    """The ``subscription.terminated`` webhook: which subscription, and its final invoice."""
    customer = await session.get(Customer, subscription.customer_id)
    return {
        "subscription_id": subscription.id,
        "customer_id": subscription.customer_id,
        "customer_external_id": customer.external_id if customer else None,
        "plan_code": plan.code,
        "terminated_at": subscription.terminated_at.isoformat()
        if subscription.terminated_at
        else None,
        "final_invoice": None
        if final is None
        else {
            "id": final.id,
            "number": final.number,
            "total": money.format_money(final.total_minor, final.currency),
            "currency": final.currency,
            "status": final.status.value,
        },
    }
