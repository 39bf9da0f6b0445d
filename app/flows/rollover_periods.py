"""A wallet's rollover policy with its periods: the customer's subscription's when it bills in
the wallet's currency (its anchor, monthly or yearly), otherwise monthly from the wallet's
creation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app import plans, wallets
from app.wallets import Rollover, Wallet


async def set_rollover_policy(
    session: AsyncSession, wallet_id: int, rollover: Rollover | None, now: datetime
) -> Wallet:
    wallet = await wallets.get(session, wallet_id)
    anchor, months = None, 1
    subscription = await plans.live_subscription(session, wallet.customer_id)
    if subscription is not None:
        plan = await session.get(plans.Plan, subscription.plan_id)
        if plan is not None and plan.currency == wallet.currency:
            anchor = subscription.anchor
            months = 12 if plan.interval.value == "yearly" else 1
    return await wallets.set_rollover_policy(
        session, wallet_id, rollover, anchor=anchor, period_months=months, now=now
    )
