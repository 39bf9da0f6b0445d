"""Returning a refund's money through the provider that collected the invoice, between two
transactions (as a charge is): ``begin_sending`` marks the attempt and says how, the caller
asks the provider with no lock held, ``record_outcome`` records the answer. Both re-read the
refund under its lock and do nothing once it is settled, so a job that runs twice refunds once;
the provider's idempotency key (``tally-refund-<id>``) makes a repeated request return the
refund it already made.

A provider that refuses (a charge disputed, a card closed) leaves the refund ``failed`` with
the reason: the credits stay voided and the money is owed outside Tally — an operator sees it
on the invoice page and in ``refunds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox, payments
from app.recharge.refund_models import SETTLED, Refund, RefundStatus

SEND = "payments.refund"


def idempotency_key(refund_id: int) -> str:
    return f"tally-refund-{refund_id}"


@dataclass(frozen=True)
class Sending:
    provider: str
    request: payments.RefundRequest
    reference: str | None  # set once the provider answered: ask about it, do not refund again


async def _lock(session: AsyncSession, refund_id: int) -> Refund | None:
    statement = (
        select(Refund)
        .where(Refund.id == refund_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def begin_sending(session: AsyncSession, refund_id: int, now: datetime) -> Sending | None:
    refund = await _lock(session, refund_id)
    if refund is None or refund.status in SETTLED or refund.payment_id is None:
        return None
    payment = await session.get(payments.Payment, refund.payment_id)
    assert payment is not None and payment.provider_reference is not None
    refund.status = RefundStatus.PROCESSING
    refund.attempts += 1
    _save(session, refund, now)
    request = payments.RefundRequest(
        idempotency_key=idempotency_key(refund_id),
        charge_reference=payment.provider_reference,
        amount_minor=refund.amount_minor,
        currency=refund.currency,
        metadata={"tally_refund": refund.number, "tally_invoice_id": str(refund.invoice_id)},
    )
    await session.flush()
    return Sending(payment.provider, request, refund.provider_reference)


async def record_outcome(
    session: AsyncSession, refund_id: int, outcome: payments.Outcome, now: datetime
) -> Refund | None:
    """Record the provider's answer; returns the refund when this answer settled it."""
    refund = await _lock(session, refund_id)
    if refund is None or refund.status in SETTLED:
        return None
    if outcome.reference:
        refund.provider_reference = outcome.reference
    status = outcome.status
    if status is payments.OutcomeStatus.PROCESSING:
        _save(session, refund, now)
        delay = outcome.check_after or timedelta(0)
        await outbox.enqueue(session, SEND, {"refund_id": refund_id}, now, delay=delay)
        await session.flush()
        return None
    if status is payments.OutcomeStatus.SUCCEEDED:
        refund.status = RefundStatus.SUCCEEDED
        refund.refunded_at = now
    else:
        refund.status = RefundStatus.FAILED
        refund.failure_reason = (outcome.failure_reason or "refund failed")[:500]
    _save(session, refund, now)
    await session.flush()
    return refund


def _save(session: AsyncSession, refund: Refund, now: datetime) -> None:
    refund.updated_at = now
    session.add(refund)
