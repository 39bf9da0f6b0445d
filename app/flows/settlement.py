"""What collecting an invoice sets in motion, whichever way the answer arrives.

A payment's outcome (from the charge job, a later check, or the provider's webhook), an
operator marking an invoice paid, or voiding it: each is recorded on the payment and the
invoice, then handed to the handlers of the invoice's type — for a ``credit_purchase``, the
recharge domain delivers or takes back credits; for ``threshold`` and ``period_end``, a
subscription suspended for an overdue invoice resumes once nothing is overdue
(``app.billing.overdue``).

The charge itself (``charge``) calls the provider between two transactions: the first marks
the attempt, the second records the answer. A crash in between is repaired by the retry,
which asks again with the same idempotency key and gets the same charge.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from app import billing, invoices, payments, recharge, wallets
from app.clock import Clock
from app.config import Settings
from app.db.engine import Database
from app.invoices import Invoice, InvoiceStatus, InvoiceType
from app.payments import FINISHED, Outcome, Payment, PaymentStatus

log = logging.getLogger("tally.settlement")


class Resources(Protocol):
    """What the payment jobs use of the process (``app.runtime.Runtime`` is one)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def db(self) -> Database: ...

    @property
    def clock(self) -> Clock: ...


@dataclass(frozen=True)
class Handlers:
    paid: Callable[[AsyncSession, Invoice, Settings, datetime], Awaitable[None]]
    failed: Callable[[AsyncSession, Invoice, str, Settings, datetime], Awaitable[None]]
    voided: Callable[[AsyncSession, Invoice, Settings, datetime], Awaitable[None]]


def handlers(kind: InvoiceType) -> Handlers | None:
    if kind is InvoiceType.CREDIT_PURCHASE:
        return Handlers(recharge.on_paid, recharge.on_failed, recharge.on_voided)
    if kind in (InvoiceType.THRESHOLD, InvoiceType.PERIOD_END, InvoiceType.IN_ADVANCE):
        return Handlers(billing.on_paid, billing.on_failed, billing.on_voided)
    return None


async def settle(
    session: AsyncSession, payment_id: int, outcome: Outcome, settings: Settings, now: datetime
) -> None:
    """Record a provider's answer about a payment, and its consequences (once).

    Locks the wallet of a credit purchase, then the invoice, then the payment (the lock
    order), as operators' actions on the invoice do."""
    row = await session.get(Payment, payment_id)
    if row is None:
        return
    invoice = await _lock(session, row.invoice_id)
    payment = await payments.apply_outcome(session, payment_id, outcome, now)
    if payment is None:
        return
    if invoice.status is not InvoiceStatus.FINALIZED:
        log.error(
            "payment %s settled for invoice %s, which is %s", payment.id, invoice.id, invoice.status
        )
        return
    found = handlers(invoice.type)
    invoice_id = row.invoice_id
    if payment.status is PaymentStatus.SUCCEEDED:
        invoice = await invoices.mark_paid(session, invoice_id, now)
        if found is not None:
            await found.paid(session, invoice, settings, now)
        return
    reason = payment.failure_reason or "payment failed"
    invoice = await invoices.payment_failed(session, invoice_id, reason, now)
    if found is not None:
        await found.failed(session, invoice, reason, settings, now)


async def mark_paid(
    session: AsyncSession, invoice_id: int, settings: Settings, now: datetime
) -> Invoice:
    """An operator records a payment made outside the provider (a bank transfer, cash)."""
    await _lock(session, invoice_id)
    await payments.cancel_unsent(
        session, invoice_id, "canceled: the invoice was paid otherwise", now
    )
    invoice = await invoices.mark_paid(session, invoice_id, now)
    found = handlers(invoice.type)
    if found is not None:
        await found.paid(session, invoice, settings, now)
    return invoice


async def void(
    session: AsyncSession, invoice_id: int, reason: str, settings: Settings, now: datetime
) -> Invoice:
    await _lock(session, invoice_id)
    await payments.cancel_unsent(session, invoice_id, "canceled: the invoice was voided", now)
    invoice = await invoices.void(session, invoice_id, reason, now)
    found = handlers(invoice.type)
    if found is not None:
        await found.voided(session, invoice, settings, now)
    return invoice


async def _lock(session: AsyncSession, invoice_id: int) -> Invoice:
    """The invoice, locked — after its wallet, for a credit purchase whose credits settling
    it will move (the lock order: wallet, invoice, payment)."""
    found = await invoices.get(session, invoice_id)
    if found.wallet_id is not None:  # set once, at creation: safe to read unlocked
        await wallets.lock_wallet(session, found.wallet_id)
    return await invoices.lock(session, invoice_id)


async def charge(runtime: Resources, payment_id: int) -> None:
    """The ``payments.charge`` job: charge once, however often it runs."""
    async with runtime.db.transaction() as session:
        attempt = await payments.begin_attempt(session, payment_id, runtime.clock.now())
    if attempt is None:
        return
    provider = payments.build_provider(attempt.provider, runtime.settings)
    outcome = await provider.charge(attempt.request)
    async with runtime.db.transaction() as session:
        await settle(session, payment_id, outcome, runtime.settings, runtime.clock.now())


async def refresh(runtime: Resources, payment_id: int) -> None:
    """The ``payments.refresh`` job: ask the provider about a payment not settled yet (one
    it never answered about is charged again, with the same idempotency key)."""
    async with runtime.db.transaction() as session:
        payment = await payments.lock(session, payment_id)
        if payment is None or payment.status in FINISHED:
            return
        provider_name, reference = payment.provider, payment.provider_reference
    if reference is None:
        await charge(runtime, payment_id)
        return
    outcome = await payments.build_provider(provider_name, runtime.settings).retrieve(reference)
    async with runtime.db.transaction() as session:
        await settle(session, payment_id, outcome, runtime.settings, runtime.clock.now())
