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

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, invoices, money, plans
from app.billing import collection, lines, proration, repository
from app.billing.lines import ChargeUsage, Commitments
from app.billing.models import BillingPeriod, ThresholdCrossing
from app.config import Settings
from app.customers import Customer
from app.invoices import Draft, Invoice, InvoiceType, LineInput, Terms, UsagePeriod
from app.metering import BillableMetric
from app.plans import MoneyPrice, Period, Plan, Subscription, SubscriptionUsage, period_containing
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
    cut: Cut | None = None,
) -> Invoice | None:
    """Close the period (locked, open; ``wallet``: the payer's, locked first) with its
    period-end invoice — base fee + the period's money usage + true-ups − threshold invoices —
    issued and sent to collection; no invoice when there are no lines. ``cut``: the period ends
    early (a termination, a plan switch): the invoice and the period row end then. The base
    fee is billed for the days the subscription ran in the period (``lines.base_fee``). The
    period-end job, termination and plan switches all close here."""
    if cut is not None and cut.at < period.period_end:
        period.period_end = cut.at
    items = await period_lines(
        session,
        subscription,
        plan,
        Period(period.period_start, period.period_end),
        period.billed_minor,
        cut,
    )
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


@dataclass(frozen=True)
class Cut:
    """A period ended early: at ``at``, because of ``ending`` ("terminated", "plan switched").
    ``fee_until``: where the base fee's days stop (a plan switch gives the day of the switch to
    the new plan: the start of that day); None: at ``at``."""

    at: datetime
    ending: str
    fee_until: datetime | None = None


async def period_lines(
    session: AsyncSession,
    subscription: Subscription,
    plan: Plan,
    billed: Period,
    billed_minor: int,
    cut: Cut | None = None,
) -> list[LineInput]:
    """The lines of the period-end invoice of ``billed`` (a period of the subscription, cut
    short or not) with its usage as it stands: base fee, the period's money usage at the plan's
    prices, true-ups, less ``billed_minor`` (what its threshold invoices billed). Reads only:
    invoices and previews both use it."""
    assert plan.id is not None
    every = await repository.money_prices(session, plan.id)
    prices = {
        metric_id: price
        for metric_id, price in every.items()
        if not price.pay_in_advance  # billed as the events came
    }
    rows = await repository.usage_rows(session, subscription.id or 0, billed.start)
    found = {r.metric_id: r for r in rows if r.metric_id in prices}
    for metric_id in prices:  # a charge without usage still owes its first tier's flat fee
        found.setdefault(
            metric_id,
            SubscriptionUsage(
                subscription_id=subscription.id or 0, metric_id=metric_id, period_start=billed.start
            ),
        )
    minimums = await plans.spending_minimums(session, plan.id)
    ids = set(found) | {m.metric_id for m in minimums} | {r.metric_id for r in rows}
    metrics = await repository.metrics_by_id(session, sorted(ids))
    usage = [
        _charge_usage(r, prices[metric_id], metrics[metric_id], plan)
        for metric_id, r in sorted(found.items())
    ]
    # What pay-in-advance charges billed as the events came counts towards the minimums.
    advance = {
        metrics[r.metric_id].name: _charge_usage(
            r, every[r.metric_id], metrics[r.metric_id], plan
        ).amount_minor
        for r in rows
        if r.metric_id in every and every[r.metric_id].pay_in_advance
    }
    terms = Commitments(
        plan.name,
        plan.commitment_minor,
        tuple(sorted((metrics[m.metric_id].name, m.amount_minor) for m in minimums)),
    )
    full = period_containing(subscription.anchor, plan.interval, billed.start)
    fee_end = billed.end if cut is None or cut.fee_until is None else cut.fee_until
    ran = Period(max(billed.start, subscription.started_at), max(fee_end, billed.start))
    ending = cut.ending if cut is not None else None
    base = lines.base_fee(plan.name, plan.base_fee_minor, full, ran, plan.currency, ending=ending)
    part = proration.share(full.start, full.end, ran.start, ran.end)
    owed = lines.true_ups(usage, base, terms, part, plan.currency, advance)
    return lines.period_end(usage, base, billed_minor, plan.currency, owed)


def _charge_usage(
    row: SubscriptionUsage, price: MoneyPrice, metric: BillableMetric, plan: Plan
) -> ChargeUsage:
    """One money charge's usage in the period, at the plan's price."""
    return ChargeUsage(
        name=metric.name,
        unit_singular=metric.unit_singular,
        unit_plural=metric.unit_plural,
        price=price,
        quantity=row.quantity,
        events=row.events,
        amount_minor=plans.period_minor(
            price, row.quantity, row.events, row.accrued, plan.currency
        ),
    )
