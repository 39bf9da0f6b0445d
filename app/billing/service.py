"""A subscription's billing choices: its own usage thresholds (overriding the plan's, e.g. raised
for a customer that earned trust, or cleared to follow the plan again) and whether wallet
credits pay its money invoices. Services validate, flush and never commit.

A change of thresholds acts at once (``threshold_changes``): usage that already reached a new
level is invoiced in the same transaction's outbox; the hot path reads the override with the
customer (``lookup.billing``) for the next event. The period's invoiced level stays, so raising
a threshold never re-invoices.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app import plans, wallets
from app.billing import threshold_changes
from app.errors import ValidationFailed
from app.plans import Plan, Subscription, SubscriptionStatus, ThresholdInput


async def _live(session: AsyncSession, subscription_id: int) -> tuple[Subscription, Plan]:
    subscription = await plans.subscription(session, subscription_id, lock=True)
    if subscription.status is SubscriptionStatus.TERMINATED:
        raise ValidationFailed(
            "subscriptionId", f"subscription {subscription_id} is terminated", code="terminated"
        )
    plan = await session.get(Plan, subscription.plan_id)
    assert plan is not None
    return subscription, plan


async def _save(session: AsyncSession, subscription: Subscription, now: datetime) -> Subscription:
    subscription.updated_at = now
    session.add(subscription)
    await session.flush()
    return subscription


async def override_thresholds(
    session: AsyncSession,
    subscription_id: int,
    items: Sequence[ThresholdInput],
    now: datetime,
) -> Subscription:
    """The subscription's own thresholds (an empty list: none at all), in the plan's currency;
    usage that already reached one is invoiced at once."""
    subscription, plan = await _live(session, subscription_id)
    found = plans.parse_thresholds(items, plan.currency)
    subscription.threshold_amounts = list(found.amounts)
    subscription.threshold_recurring = found.recurring
    await _save(session, subscription, now)
    await threshold_changes.subscription_changed(session, subscription, plan, now)
    return subscription


async def clear_thresholds(
    session: AsyncSession, subscription_id: int, now: datetime
) -> Subscription:
    """Follow the plan's thresholds again (usage that already reached one is invoiced at once)."""
    subscription, plan = await _live(session, subscription_id)
    subscription.threshold_amounts = None
    subscription.threshold_recurring = None
    await _save(session, subscription, now)
    await threshold_changes.subscription_changed(session, subscription, plan, now)
    return subscription


async def set_pay_with_credits(
    session: AsyncSession, subscription_id: int, enabled: bool, now: datetime
) -> Subscription:
    """Let wallet credits pay the subscription's money invoices. The wallet must be in the
    plan's currency: credits convert at its rate, never across currencies."""
    subscription, plan = await _live(session, subscription_id)
    if (
        enabled
        and await wallets.for_customer(session, subscription.customer_id, plan.currency) is None
    ):
        raise ValidationFailed(
            "payWithCredits",
            f"the customer has no {plan.currency} wallet: the wallet's currency must be the "
            f"plan's ({plan.currency})",
            code="currency_mismatch",
        )
    subscription.pay_with_credits = enabled
    return await _save(session, subscription, now)
