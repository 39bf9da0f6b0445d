"""Unpaid usage invoices stop the service; paying them starts it again.

``suspend_overdue`` (the ``billing.suspend_overdue`` job, on the scheduler) finds finalized
threshold and period-end invoices past their due date (net terms after finalization) that it
has not seen yet, marks them overdue (announced live as ``invoice.updated``) and suspends
their subscriptions (reason ``overdue_invoice``: entitlement answers "overdue invoice"),
announcing each with a ``subscription.suspended`` webhook and an email. An invoice is found
overdue once: an operator who resumes the subscription by hand is not overruled by the next
sweep.

When a usage invoice is paid or voided (``app.flows.settlement`` calls ``on_paid``/``on_voided``,
collection calls ``resume_if_clear``), a subscription suspended for an overdue invoice resumes
once none of its invoices is overdue any more.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, money, plans
from app.billing import repository
from app.config import Settings
from app.customers import Customer
from app.db import sql
from app.invoices import Invoice
from app.live import InvoiceChange, publish_invoice_updates
from app.plans import Plan, Subscription, SubscriptionStatus, SuspensionReason

SUSPENDED_EVENT = "subscription.suspended"
SUSPENDED_EMAIL = "subscription_suspended"

FIND = text(sql.load("app.billing", "overdue_invoices"))


async def suspend_overdue(session: AsyncSession, now: datetime, limit: int = 500) -> list[int]:
    """Suspend the subscriptions of invoices that just fell overdue; their ids."""
    found = (await (await session.connection()).execute(FIND, {"now": now, "limit": limit})).all()
    await publish_invoice_updates(session, [row.id for row in found], InvoiceChange.OVERDUE, now)
    by_subscription: dict[int, list[Any]] = defaultdict(list)
    for row in found:
        by_subscription[row.subscription_id].append(row)
    suspended = []
    for subscription_id in sorted(by_subscription):  # lock order: by id
        subscription = await plans.subscription(session, subscription_id, lock=True)
        if subscription.status is not SubscriptionStatus.ACTIVE:
            continue  # suspended by an operator already, or terminated
        await plans.set_status(
            session,
            subscription_id,
            SubscriptionStatus.SUSPENDED,
            now,
            reason=SuspensionReason.OVERDUE_INVOICE,
        )
        data = await _data(session, subscription, by_subscription[subscription_id])
        await announcements.emit(session, SUSPENDED_EVENT, data, now)
        await announcements.notify(
            session, SUSPENDED_EMAIL, "customer", subscription.customer_id, data, now
        )
        suspended.append(subscription_id)
    return suspended


async def _data(
    session: AsyncSession, subscription: Subscription, overdue: list[Any]
) -> dict[str, Any]:
    customer = await session.get(Customer, subscription.customer_id)
    plan = await session.get(Plan, subscription.plan_id)
    return {
        "subscription_id": subscription.id,
        "customer_id": subscription.customer_id,
        "customer_external_id": customer.external_id if customer else None,
        "plan_code": plan.code if plan else None,
        "reason": "overdue invoice",
        "invoices": [
            {
                "id": row.id,
                "number": row.number,
                "total": money.format_money(row.total_minor, row.currency),
                "currency": row.currency,
                "due_at": row.due_at.isoformat(),
            }
            for row in overdue
        ],
    }


async def resume_if_clear(session: AsyncSession, subscription_id: int, now: datetime) -> bool:
    """Resume a subscription suspended for an overdue invoice if none is overdue now."""
    subscription = await session.get(Subscription, subscription_id)
    if subscription is None or not _suspended_for_overdue(subscription):
        return False
    if await repository.has_overdue(session, subscription_id, now):
        return False
    locked = await plans.set_status(session, subscription_id, SubscriptionStatus.ACTIVE, now)
    return locked.status is SubscriptionStatus.ACTIVE


def _suspended_for_overdue(subscription: Subscription) -> bool:
    return (
        subscription.status is SubscriptionStatus.SUSPENDED
        and subscription.suspension_reason is SuspensionReason.OVERDUE_INVOICE
    )


async def on_paid(
    session: AsyncSession, invoice: Invoice, settings: Settings, now: datetime
) -> None:
    if invoice.subscription_id is not None:
        await resume_if_clear(session, invoice.subscription_id, now)


async def on_failed(
    session: AsyncSession, invoice: Invoice, reason: str, settings: Settings, now: datetime
) -> None:
    """A failed charge leaves the invoice owed: it falls overdue at its due date."""


async def on_voided(
    session: AsyncSession, invoice: Invoice, settings: Settings, now: datetime
) -> None:
    if invoice.subscription_id is not None:
        await resume_if_clear(session, invoice.subscription_id, now)
