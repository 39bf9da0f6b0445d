"""May a customer use ``units`` more of a metric? One indexed read (``lookup.billing``, with the
balance at the moment: expired credits excluded, ``app.wallets.balances``) and the in-memory
catalog: the live subscription's price for the metric, its status (suspended: by an
operator, or for an overdue invoice), then — for a credit price — the wallet's depletion
policy (``wallets.service.entitlement``). Money-priced usage is invoiced: allowed while the
subscription is active."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.db.engine import driver
from app.errors import NotFound, ValidationFailed
from app.plans import lookup, pricing
from app.plans.catalog import Catalog
from app.plans.models import SubscriptionStatus, SuspensionReason
from app.wallets import Entitlement, Wallet, entitlement

NO_SUBSCRIPTION = "no active subscription"
SUSPENDED = "subscription suspended"
OVERDUE = "overdue invoice"
NOT_IN_PLAN = "metric not in plan"
INVOICED = "ok"


def _units(value: Decimal) -> Decimal:
    units = money.parse_decimal(value, "units")
    if units <= 0:
        raise ValidationFailed("units", "must be greater than zero", code="invalid_amount")
    if units > money.QUANTITY_LIMIT:
        raise ValidationFailed(
            "units", f"must be at most {money.QUANTITY_LIMIT:,}", code="too_large"
        )
    return units


async def for_metric(
    session: AsyncSession,
    catalog: Catalog,
    customer_external_id: str,
    metric_code: str,
    units: Decimal,
    now: datetime,
) -> Entitlement:
    count = _units(units)
    customers, version = await lookup.billing(session, [customer_external_id], at=now)
    billing = customers.get(customer_external_id)
    if billing is None:
        raise NotFound(
            "customerExternalId", f"no customer with external id '{customer_external_id}'"
        )
    snapshot = await catalog.current(await driver(session), version)
    metric = snapshot.metrics.get(metric_code)
    if metric is None:
        raise NotFound("metricCode", f"no metric with code '{metric_code}'")
    wallet = billing.wallet
    balance = wallet.balance if wallet is not None else Decimal(0)
    subscription = billing.subscription
    if subscription is None:
        return Entitlement(False, NO_SUBSCRIPTION, balance, Decimal(0))
    plan = snapshot.plans[subscription.plan_id]
    price = plan.credit_prices.get(metric.id)
    if price is None and metric.id not in plan.money_prices:
        return Entitlement(False, NOT_IN_PLAN, balance, Decimal(0))
    cost = pricing.credits_for(price, count) if price is not None else Decimal(0)
    if subscription.status is SubscriptionStatus.SUSPENDED:
        overdue = subscription.suspension_reason is SuspensionReason.OVERDUE_INVOICE
        return Entitlement(False, OVERDUE if overdue else SUSPENDED, balance, cost)
    if price is None:  # priced in money: invoiced, not debited
        return Entitlement(True, INVOICED, balance, cost)
    if wallet is None:
        raise NotFound(
            "customerExternalId", f"{customer_external_id} has no {plan.currency} wallet"
        )
    state = Wallet(
        id=wallet.id,
        customer_id=billing.customer_id,
        currency=wallet.currency,
        rate=wallet.rate,
        balance=wallet.balance,
        policy=wallet.policy,
        overdraft_limit=wallet.overdraft_limit,
    )
    return entitlement(state, cost)


async def for_metric_query(
    session: AsyncSession,
    catalog: Catalog,
    customer_external_id: str,
    metric_code: str | None,
    units: Decimal | None,
    credits: Decimal,
    now: datetime,
) -> Entitlement:
    """The ``entitlement`` query's metric form: ``metricCode`` with optional ``units`` (1)."""
    if metric_code is None:
        raise ValidationFailed("metricCode", "is required with units", code="required")
    if credits != 0:
        raise ValidationFailed("credits", "give either credits or metricCode, not both")
    count = Decimal(1) if units is None else units
    return await for_metric(session, catalog, customer_external_id, metric_code, count, now)
