"""One indexed read that says how a customer is billed: the live subscription (with the end of
its last invoiced period), the wallet in the plan's currency (the customer's own without a
plan) and the catalog version (for ``Catalog.current``). Used by the event hot path (for every
customer of a batch at once) and by entitlement (for one)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.billing.thresholds import Thresholds
from app.billing.thresholds import of as thresholds_of
from app.plans.catalog import VERSION_SQL
from app.plans.models import SubscriptionStatus, SuspensionReason
from app.wallets.models import DepletionPolicy

BILLING = f"""
SELECT c.id AS customer_id, c.external_id, s.id AS subscription_id, s.status, s.plan_id,
       s.anchor, s.started_at, s.suspension_reason, s.threshold_amounts, s.threshold_recurring,
       w.id AS wallet_id, w.currency, w.rate, w.balance, w.policy,
       w.overdraft_limit,
       (SELECT bp.period_end FROM billing_periods bp
        WHERE bp.subscription_id = s.id AND bp.closed_at IS NOT NULL
        ORDER BY bp.period_start DESC LIMIT 1) AS invoiced_through,
       {VERSION_SQL} AS catalog_version
FROM customers c
LEFT JOIN subscriptions s ON s.customer_id = c.id AND s.status <> 'terminated'
LEFT JOIN plans p ON p.id = s.plan_id
LEFT JOIN wallets w ON w.customer_id = c.id AND w.currency = coalesce(p.currency, c.currency)
WHERE c.external_id = ANY($1::text[])
"""


@dataclass(frozen=True)
class Subscribed:
    id: int
    status: SubscriptionStatus
    plan_id: int
    anchor: datetime
    started_at: datetime
    suspension_reason: SuspensionReason | None = None
    thresholds: Thresholds | None = None  # the subscription's override of the plan's
    invoiced_through: datetime | None = None  # the end of its last invoiced (closed) period


@dataclass(frozen=True)
class WalletState:
    id: int
    currency: str
    rate: Decimal
    balance: Decimal
    policy: DepletionPolicy
    overdraft_limit: Decimal


@dataclass(frozen=True)
class Billing:
    customer_id: int
    external_id: str
    subscription: Subscribed | None
    wallet: WalletState | None  # in the plan's currency (without a plan: the customer's)


def _billing(row: Any) -> Billing:
    subscription = wallet = None
    if row.subscription_id is not None:
        subscription = Subscribed(
            row.subscription_id,
            SubscriptionStatus(row.status),
            row.plan_id,
            row.anchor,
            row.started_at,
            SuspensionReason(row.suspension_reason) if row.suspension_reason else None,
            None
            if row.threshold_amounts is None
            else thresholds_of(row.threshold_amounts, row.threshold_recurring),
            row.invoiced_through,
        )
    if row.wallet_id is not None:
        wallet = WalletState(
            row.wallet_id,
            row.currency,
            row.rate,
            row.balance,
            DepletionPolicy(row.policy),
            row.overdraft_limit,
        )
    return Billing(row.customer_id, row.external_id, subscription, wallet)


async def billing(
    session: AsyncSession, external_ids: list[str]
) -> tuple[dict[str, Billing], uuid.UUID | None]:
    """Customers by external id (unknown ones are absent) and the catalog version.

    It runs through the session, so the session's transaction has begun when it returns and
    ``driver`` may be used."""
    connection = await session.connection()
    rows = (await connection.exec_driver_sql(BILLING, (external_ids,))).all()
    version = rows[0].catalog_version if rows else None
    return {r.external_id: _billing(r) for r in rows}, version
