"""Payment use cases: open a payment for an invoice, start an attempt, record an outcome.

The provider is called between two transactions (``begin_attempt``, then ``apply_outcome``),
never while a row lock is held. Both steps re-read the payment under its lock and do nothing
once it is settled, so a job that runs twice, or a provider webhook that races the job,
settles it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox
from app.db import sql
from app.invoices import Invoice
from app.outbox.models import OPEN_SQL
from app.payments import repository
from app.payments.errors import Conflict
from app.payments.models import FINISHED, Payment, PaymentMethod, PaymentStatus
from app.payments.providers import ChargeRequest, Outcome, OutcomeStatus

CHARGE = "payments.charge"
REFRESH = "payments.refresh"


def idempotency_key(payment_id: int) -> str:
    """The key every charge of this payment carries (stable across retries and processes)."""
    return f"tally-payment-{payment_id}"


async def open_payment(
    session: AsyncSession, invoice: Invoice, method: PaymentMethod, now: datetime
) -> Payment:
    """A pending payment for the invoice's total, and the job that charges it."""
    assert invoice.id is not None and method.id is not None
    payment = Payment(
        invoice_id=invoice.id,
        payment_method_id=method.id,
        provider=method.provider,
        amount_minor=invoice.total_minor,
        currency=invoice.currency,
        created_at=now,
        updated_at=now,
    )
    session.add(payment)
    await session.flush()
    await outbox.enqueue(session, CHARGE, {"payment_id": payment.id}, now)
    return payment


@dataclass(frozen=True)
class Attempt:
    provider: str
    request: ChargeRequest


async def begin_attempt(session: AsyncSession, payment_id: int, now: datetime) -> Attempt | None:
    """Mark the payment as being charged and say how; None when it is settled already."""
    payment = await repository.lock(session, payment_id)
    if payment is None or payment.status in FINISHED:
        return None
    method = await session.get(PaymentMethod, payment.payment_method_id)
    invoice = await session.get(Invoice, payment.invoice_id)
    assert method is not None and invoice is not None
    payment.status = PaymentStatus.PROCESSING
    payment.attempts += 1
    await _save(session, payment, now)
    request = ChargeRequest(
        idempotency_key=idempotency_key(payment_id),
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        method_reference=method.reference,
        provider_customer=method.provider_customer,
        description=f"Invoice {invoice.number}",
        metadata={"tally_payment_id": str(payment_id), "tally_invoice": str(invoice.number)},
    )
    return Attempt(payment.provider, request)


async def apply_outcome(
    session: AsyncSession, payment_id: int, outcome: Outcome, now: datetime
) -> Payment | None:
    """Record the provider's answer. Returns the payment when this answer settled it."""
    payment = await repository.lock(session, payment_id)
    if payment is None or payment.status in FINISHED:
        return None
    if outcome.reference:
        payment.provider_reference = outcome.reference
    if outcome.status is OutcomeStatus.PROCESSING:
        payment.status = PaymentStatus.PROCESSING
        await _save(session, payment, now)
        if outcome.check_after is not None:
            await outbox.enqueue(
                session, REFRESH, {"payment_id": payment_id}, now, delay=outcome.check_after
            )
        return None
    succeeded = outcome.status is OutcomeStatus.SUCCEEDED
    payment.status = PaymentStatus.SUCCEEDED if succeeded else PaymentStatus.FAILED
    payment.failure_reason = None if succeeded else (outcome.failure_reason or "payment failed")
    payment.settled_at = now
    await _save(session, payment, now)
    return payment


async def cancel_unsent(session: AsyncSession, invoice_id: int, reason: str, now: datetime) -> None:
    """Cancel the invoice's payment that was not sent yet (the invoice is settled another way);
    refuse while one is being charged, since the provider may still take the money."""
    for payment in await repository.for_invoices(session, [invoice_id]):
        if payment.status in FINISHED or payment.id is None:
            continue
        locked = await repository.lock(session, payment.id)
        if locked is None or locked.status in FINISHED:
            continue
        if locked.status is PaymentStatus.PROCESSING:
            raise Conflict(
                "invoiceId",
                "a payment of this invoice is being processed; wait for its outcome",
                code="payment_in_progress",
            )
        locked.status = PaymentStatus.FAILED
        locked.failure_reason = reason
        locked.settled_at = now
        await _save(session, locked, now)


# Payments that no open job will move on (the job system hands every job on until it runs, so
# this is a job that gave up, or a provider that never answered about a processing one).
SWEEP = text(
    sql.load("app.payments", "stale_payments", open=OPEN_SQL, charge=CHARGE, refresh=REFRESH)
)


async def sweep(
    session: AsyncSession, now: datetime, stale: timedelta = timedelta(hours=1), limit: int = 500
) -> int:
    """Ask again about payments nothing has moved for ``stale`` and no open job will (a job
    that gave up, a webhook that never came): each gets a ``payments.refresh`` job."""
    connection = await session.connection()
    found = await connection.execute(SWEEP, {"now": now, "cutoff": now - stale, "limit": limit})
    ids = sorted(int(row[0]) for row in found)
    for payment_id in ids:
        await outbox.enqueue(session, REFRESH, {"payment_id": payment_id}, now)
    return len(ids)


async def _save(session: AsyncSession, payment: Payment, now: datetime) -> None:
    payment.updated_at = now
    session.add(payment)
    await session.flush()
