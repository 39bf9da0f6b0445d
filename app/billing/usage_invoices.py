"""Threshold and period-end invoices: made, finalized (numbered, due after the net terms,
announced with ``invoice.created`` and the invoice email) and sent to collection, each in one
short transaction of its job; a terminated subscription's last period closes early the same
way (``close_period``, called by ``termination``). Both are idempotent: a crossing makes its
invoice once (``invoice_id``), a period closes once (``closed_at``, and a unique index on
period-end invoices).

Lock order: the paying wallet (when the subscription pays with credits), the crossing or the
period, the invoice sequence, the invoice — the ingest locks wallets before periods too.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, invoices, money, plans
from app.billing import collection, lines, repository
from app.billing.lines import ChargeUsage
from app.billing.models import BillingPeriod, ThresholdCrossing
from app.config import Settings
from app.customers import Customer
from app.invoices import Draft, Invoice, InvoiceType, LineInput, Terms, UsagePeriod
from app.plans import Period, Plan, Subscription, SubscriptionUsage, period_containing
from app.wallets import Wallet

THRESHOLD_REACHED = "subscription.threshold_reached"


async def _subscription(session: AsyncSession, period: BillingPeriod) -> tuple[Subscription, Plan]:
    subscription = await session.get(Subscription, period.subscription_id)
    assert subscription is not None
    plan = await session.get(Plan, subscription.plan_id)
    assert plan is not None
    return subscription, plan


async def _issue(session: AsyncSession, draft: Draft, settings: Settings, now: datetime) -> Invoice:
    invoice = await invoices.create(session, draft, now)
    assert invoice.id is not None
    return await invoices.finalize(session, invoice.id, Terms.of(settings), now)


async def invoice_threshold(
    session: AsyncSession, crossing_id: int, settings: Settings, now: datetime
) -> Invoice | None:
    """The ``billing.invoice_threshold`` job: the crossing's invoice (once)."""
    found = await session.get(ThresholdCrossing, crossing_id)
    if found is None or found.invoice_id is not None:
        return None
    period = await session.get(BillingPeriod, found.period_id)
    assert period is not None
    subscription, plan = await _subscription(session, period)
    wallet = await collection.payer_wallet(session, subscription, plan.currency)
    crossing = await repository.lock_crossing(session, crossing_id)
    if crossing is None or crossing.invoice_id is not None:
        return None
    usage = await _snapshot(session, plan, crossing)
    amount = crossing.usage_minor - crossing.billed_before_minor
    draft = Draft(
        subscription.customer_id,
        plan.currency,
        InvoiceType.THRESHOLD,
        lines.threshold(usage, amount, plan.currency, crossing.level_minor),
        usage=UsagePeriod(
            subscription.id or 0, period.period_start, period.period_end, crossing.level_minor
        ),
    )
    invoice = await _issue(session, draft, settings, now)
    crossing.invoice_id = invoice.id
    session.add(crossing)
    await session.flush()
    data = await _reached(session, subscription, plan, period, crossing, invoice)
    await announcements.emit(session, THRESHOLD_REACHED, data, now)
    await collection.collect(session, invoice, subscription, wallet, now)
    return invoice


async def _snapshot(
    session: AsyncSession, plan: Plan, crossing: ThresholdCrossing
) -> list[ChargeUsage]:
    """The period's money usage as it stood at the crossing."""
    assert plan.id is not None
    prices = await repository.money_prices(session, plan.id)
    ids = [int(item["metric_id"]) for item in crossing.usage]
    metrics = await repository.metrics_by_id(session, ids)
    return [
        ChargeUsage(
            name=metrics[metric_id].name,
            unit_singular=metrics[metric_id].unit_singular,
            unit_plural=metrics[metric_id].unit_plural,
            price=prices.get(metric_id),
            quantity=Decimal(str(item["quantity"])),  # stored as text: exact
            events=int(item["events"]),
            amount_minor=int(item["amount_minor"]),
        )
        for metric_id, item in zip(ids, crossing.usage, strict=True)
    ]


async def _reached(
    session: AsyncSession,
    subscription: Subscription,
    plan: Plan,
    period: BillingPeriod,
    crossing: ThresholdCrossing,
    invoice: Invoice,
) -> dict[str, Any]:
    customer = await session.get(Customer, subscription.customer_id)
    currency = plan.currency
    return {
        "subscription_id": subscription.id,
        "customer_id": subscription.customer_id,
        "customer_external_id": customer.external_id if customer else None,
        "plan_code": plan.code,
        "period_start": period.period_start.isoformat(),
        "period_end": period.period_end.isoformat(),
        "currency": currency,
        "threshold": money.format_money(crossing.level_minor, currency),
        "usage": money.format_money(crossing.usage_minor, currency),
        "invoice_id": invoice.id,
        "invoice_number": invoice.number,
        "invoice_total": money.format_money(invoice.total_minor, currency),
    }


async def invoice_period_end(
    session: AsyncSession, period_id: int, settings: Settings, now: datetime
) -> Invoice | None:
    """The ``billing.invoice_period_end`` job: close the period with its invoice (once)."""
    found = await session.get(BillingPeriod, period_id)
    if found is None or found.closed_at is not None:
        return None
    subscription, plan = await _subscription(session, found)
    wallet = await collection.payer_wallet(session, subscription, plan.currency)
    period = await repository.lock_period(session, period_id)
    if period is None or period.closed_at is not None:
        return None
    return await close_period(session, subscription, plan, wallet, period, settings, now)


async def close_period(
    session: AsyncSession,
    subscription: Subscription,
    plan: Plan,
    wallet: Wallet | None,
    period: BillingPeriod,
    settings: Settings,
    now: datetime,
    *,
    ended_at: datetime | None = None,
) -> Invoice | None:
    """Close the period (locked, open; ``wallet``: the payer's, locked first) with its
    period-end invoice — base fee + the period's money usage − threshold invoices — issued and
    sent to collection; no invoice when there are no lines. ``ended_at``: the period ends early
    then (the subscription's termination): the invoice and the period row end there. The base
    fee is billed for the days the subscription ran in the period (``lines.base_fee``). The
    period-end job and termination both close here."""
    if ended_at is not None and ended_at < period.period_end:
        period.period_end = ended_at
    items = await _period_lines(session, subscription, plan, period, ended_at is not None)
    invoice = None
    if items:
        usage = UsagePeriod(subscription.id or 0, period.period_start, period.period_end)
        draft = Draft(
            subscription.customer_id, plan.currency, InvoiceType.PERIOD_END, items, usage=usage
        )
        invoice = await _issue(session, draft, settings, now)
        period.invoice_id = invoice.id
    period.closed_at, period.updated_at = now, now
    session.add(period)
    await session.flush()
    if invoice is not None:
        await collection.collect(session, invoice, subscription, wallet, now)
    return invoice


async def _period_lines(
    session: AsyncSession,
    subscription: Subscription,
    plan: Plan,
    period: BillingPeriod,
    terminated: bool,
) -> list[LineInput]:
    """Base fee, the period's money usage at the plan's prices, less threshold invoices."""
    assert plan.id is not None
    prices = {
        metric_id: price
        for metric_id, price in (await repository.money_prices(session, plan.id)).items()
        if not price.pay_in_advance  # billed as the events came
    }
    rows = await repository.usage_rows(session, period.subscription_id, period.period_start)
    found = {r.metric_id: r for r in rows if r.metric_id in prices}
    for metric_id in prices:  # a charge without usage still owes its first tier's flat fee
        found.setdefault(
            metric_id,
            SubscriptionUsage(
                subscription_id=period.subscription_id,
                metric_id=metric_id,
                period_start=period.period_start,
            ),
        )
    metrics = await repository.metrics_by_id(session, sorted(found))
    usage = [
        ChargeUsage(
            name=metrics[r.metric_id].name,
            unit_singular=metrics[r.metric_id].unit_singular,
            unit_plural=metrics[r.metric_id].unit_plural,
            price=prices[r.metric_id],
            quantity=r.quantity,
            events=r.events,
            amount_minor=plans.period_minor(
                prices[r.metric_id], r.quantity, r.events, r.accrued, plan.currency
            ),
        )
        for _, r in sorted(found.items())
    ]
    base = lines.base_fee(
        plan.name,
        plan.base_fee_minor,
        period_containing(subscription.anchor, plan.interval, period.period_start),
        Period(max(period.period_start, subscription.started_at), period.period_end),
        plan.currency,
        terminated=terminated,
    )
    return lines.period_end(usage, base, period.billed_minor, plan.currency)
