"""Pay-in-advance charges: each event billed as it arrives, at its own position in the period.

The ingest prices the events of a pay-in-advance charge under the period row's lock
(``app.plans.per_event``: "first 2 free, then 2.00" bills three events of one second 0, 0 and
2.00, whichever batches they come in). The rule for invoices: **one in-advance invoice per
ingest transaction and subscription period** (a batch, or concurrent small requests that share
one transaction: ``app.flows.group_commit``) — the ingest transaction records the batch's fees
(``in_advance_fees``, one statement) and writes the ``billing.invoice_in_advance`` job to the
outbox, so a rolled-back batch bills nothing; the job issues the invoice (once: ``invoice_id``),
one line per event, and sends it to collection like any usage invoice (the wallet pays it when
the subscription pays with credits). A batch whose events all cost nothing makes no invoice.
Pay-in-advance usage is not billed again: progressive billing and the period-end invoice leave
it out.

Lock order: the paying wallet (when the subscription pays with credits), the fees row, the
invoice sequence, the invoice — as for threshold invoices.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app import invoices, money
from app.billing import collection, repository
from app.billing.models import InAdvanceFees
from app.config import Settings
from app.db import sql
from app.invoices import Draft, Invoice, InvoiceType, LineInput, Terms, UsagePeriod
from app.plans import InAdvance, Plan, Subscription

INVOICE_IN_ADVANCE = "billing.invoice_in_advance"

RECORD = sql.load("app.billing", "in_advance_fees", actor=INVOICE_IN_ADVANCE)

DESCRIPTION_MAX = 500


def _fees(items: Sequence[InAdvance]) -> dict[tuple[int, datetime], list[dict[str, Any]]]:
    """The batch's fees by subscription and period, with something to bill."""
    found: dict[tuple[int, datetime], list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        key = (item.group.subscription.id, item.group.period.start)
        found[key] += [
            {
                "metric_id": item.group.metric.id,
                "transaction_id": fee.transaction_id,
                "units": str(fee.units),
                "position": fee.position,
                "amount_minor": fee.amount_minor,
            }
            for fee in item.fees
        ]
    return {key: fees for key, fees in found.items() if any(f["amount_minor"] for f in fees)}


async def record(
    connection: asyncpg.Connection, items: Sequence[InAdvance], batch_id: int, now: datetime
) -> None:
    """In the ingest transaction: the batch's fees and their invoice job, one statement."""
    fees = _fees(items)
    if not fees:
        return
    ends = {(i.group.subscription.id, i.group.period.start): i.group.period.end for i in items}
    keys = sorted(fees)
    await connection.fetchrow(
        RECORD,
        batch_id,
        [k[0] for k in keys],
        [k[1] for k in keys],
        [ends[k] for k in keys],
        [json.dumps(fees[k]) for k in keys],
        now,
    )


async def _lock(session: AsyncSession, fees_id: int) -> InAdvanceFees | None:
    statement = (
        select(InAdvanceFees)
        .where(InAdvanceFees.id == fees_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def invoice_in_advance(
    session: AsyncSession, fees_id: int, settings: Settings, now: datetime
) -> Invoice | None:
    """The ``billing.invoice_in_advance`` job: the batch's in-advance invoice (once)."""
    found = await session.get(InAdvanceFees, fees_id)
    if found is None or found.invoice_id is not None:
        return None
    subscription = await session.get(Subscription, found.subscription_id)
    assert subscription is not None
    plan = await session.get(Plan, subscription.plan_id)
    assert plan is not None
    wallet = await collection.payer_wallet(session, subscription, plan.currency)
    fees = await _lock(session, fees_id)
    if fees is None or fees.invoice_id is not None:
        return None
    draft = Draft(
        subscription.customer_id,
        plan.currency,
        InvoiceType.IN_ADVANCE,
        await _lines(session, fees.fees, plan.currency),
        usage=UsagePeriod(subscription.id or 0, fees.period_start, fees.period_end),
    )
    invoice = await invoices.create(session, draft, now)
    assert invoice.id is not None
    invoice = await invoices.finalize(session, invoice.id, Terms.of(settings), now)
    fees.invoice_id = invoice.id
    session.add(fees)
    await session.flush()
    await collection.collect(session, invoice, subscription, wallet, now)
    return invoice


async def _lines(
    session: AsyncSession, fees: list[dict[str, Any]], currency: str
) -> list[LineInput]:
    """One line per event: "API calls · event 3 of the period · 1 call (tx-3)"."""
    metrics = await repository.metrics_by_id(session, sorted({int(f["metric_id"]) for f in fees}))
    lines = []
    for fee in fees:
        metric = metrics[int(fee["metric_id"])]
        units = money.round_credits(money.parse_decimal(fee["units"], "units"))
        label = metric.unit_singular if units == 1 else metric.unit_plural
        words = (
            f"{metric.name} · event {fee['position']} of the period · "
            f"{money.format_credits(units)} {label} ({fee['transaction_id']})"
        )
        amount = int(fee["amount_minor"])
        lines.append(
            LineInput(
                description=words[:DESCRIPTION_MAX],
                quantity=Decimal(1),
                unit_price=money.major_units(amount, currency),
                amount_minor=amount,
            )
        )
    return lines
