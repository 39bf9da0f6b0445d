"""Refunds of purchased credits: a credit note on a paid credit-purchase invoice, for at most
the purchase's unused credits.

In ONE transaction: the purchase's paid grant gives back the refunded credits (a ``refund``
ledger entry, never below zero), a bundle's free bonus is voided in proportion, the refund is
numbered (``CN-000001``, gapless) and, when a provider collected the invoice, the
``payments.refund`` job is written to the outbox; the job returns the money
(``app.flows.refunds``). Idempotent by key: a retry, even one that arrives at the same
moment, returns the first refund.

Money: the grant's cost basis (what the purchase cost) pro rata, cumulatively
(``money.share``): the refund of ``c`` credits from a grant of ``amount`` credits of which
``left`` had already left (used, expired, refunded) returns
``share(cost, left + c, amount) − share(cost, left, amount)`` minor units, each rounded
half-up — so refunding everything unused returns exactly the cost minus what the used
credits were worth, and a grant's movements always add up to its cost.

Lock order: the idempotency key, the wallet, the invoice, the credit-note number, the
wallet's grants (README, "Lock order").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app import idempotency, invoices, money, outbox, payments, wallets
from app.errors import InsufficientCredits, check_length
from app.invoices import Invoice, InvoiceStatus, InvoiceType
from app.recharge import repository
from app.recharge.errors import ValidationFailed
from app.recharge.refund_models import Refund, RefundStatus
from app.recharge.refund_sending import SEND
from app.wallets import Cause, CauseType, EntryKind, Grant, GrantKind

SERIES = "CN"

REASON_MAX = 500


@dataclass(frozen=True)
class RefundInput:
    invoice_id: int
    idempotency_key: str
    credits: object | None = None  # default: every unused credit of the purchase
    reason: str = ""


@dataclass(frozen=True)
class _Purchase:
    invoice: Invoice
    paid: Grant
    bonus: Grant | None


async def refund_credits(session: AsyncSession, request: RefundInput, now: datetime) -> Refund:
    asked = None if request.credits is None else money.credits(request.credits, "credits")
    reason = check_length(request.reason, "reason", REASON_MAX, required=False)
    scope = f"refund:{request.invoice_id}"
    fingerprint = {"invoice": request.invoice_id, "credits": asked, "reason": reason}
    earlier = await idempotency.claim(session, scope, request.idempotency_key, fingerprint, now)
    if earlier is not None:
        found = await session.get(Refund, earlier)
        assert found is not None
        return found
    purchase = await _purchase(session, request.invoice_id, now)
    credits = _credits(purchase.paid, asked)
    refund = await _book(session, purchase, credits, reason, now)
    assert refund.id is not None
    await idempotency.record(session, scope, request.idempotency_key, refund.id)
    if refund.status is RefundStatus.PENDING:
        await outbox.enqueue(session, SEND, {"refund_id": refund.id}, now)
    return refund


async def of_invoice(session: AsyncSession, invoice_id: int) -> list[Refund]:
    """An invoice's refunds, oldest first."""
    statement = select(Refund).where(Refund.invoice_id == invoice_id).order_by(col(Refund.id))
    return list((await session.exec(statement)).all())


async def _purchase(session: AsyncSession, invoice_id: int, now: datetime) -> _Purchase:
    """The paid purchase, locked (wallet, then invoice), its grants expired as of ``now``."""
    found = await invoices.get(session, invoice_id)
    if found.type is not InvoiceType.CREDIT_PURCHASE or found.wallet_id is None:
        kind = found.type.value.replace("_", " ")
        raise ValidationFailed(
            "invoiceId",
            f"invoice {found.number} is a {kind} invoice, not a credit purchase",
            code="not_a_purchase",
        )
    await wallets.lock_wallet(session, found.wallet_id)
    invoice = await invoices.lock(session, invoice_id)
    _require_paid(invoice)
    await wallets.expire(session, found.wallet_id, now)
    paid, bonus = None, None
    for grant_id in await repository.grants_of_invoice(session, found.wallet_id, invoice_id):
        grant = await session.get(Grant, grant_id, populate_existing=True)
        assert grant is not None
        if grant.kind is GrantKind.PAID and paid is None:
            paid = grant
        elif grant.kind is GrantKind.FREE and bonus is None:
            bonus = grant
    if paid is None:
        raise ValidationFailed(
            "invoiceId",
            f"invoice {invoice.number} has not delivered its credits",
            code="nothing_to_refund",
        )
    return _Purchase(invoice, paid, bonus)


def _require_paid(invoice: Invoice) -> None:
    if invoice.status is InvoiceStatus.VOID:
        raise ValidationFailed(
            "invoiceId", f"invoice {invoice.number} is void: nothing was paid", code="invoice_void"
        )
    if invoice.status is not InvoiceStatus.PAID:
        raise ValidationFailed(
            "invoiceId",
            f"invoice {invoice.number} is not paid ({invoice.status.value})",
            code="invoice_unpaid",
        )


def _credits(paid: Grant, asked: Decimal | None) -> Decimal:
    unused = paid.remaining
    if unused <= 0:
        raise InsufficientCredits(
            "credits", "no unused credits of this purchase remain", code="nothing_to_refund"
        )
    if asked is None:
        return unused
    if asked > unused:
        raise InsufficientCredits(
            "credits",
            f"only {money.format_credits(unused)} unused credits of this purchase can be refunded",
        )
    return asked


def amount_minor(paid: Grant, credits: Decimal) -> int:
    """The money ``credits`` of the paid grant are worth now (``money.share``, cumulative)."""
    cost = paid.cost_minor or 0
    left = paid.amount - paid.remaining
    return money.share(cost, left + credits, paid.amount) - money.share(cost, left, paid.amount)


def bonus_credits(purchase: _Purchase, credits: Decimal) -> Decimal:
    """The bonus voided with ``credits``: its share of the purchase, at most what is left."""
    bonus = purchase.bonus
    if bonus is None or bonus.remaining <= 0:
        return Decimal(0)
    with money.exact():
        due = money.round_credits(bonus.amount * credits / purchase.paid.amount)
    return min(due, bonus.remaining)


async def _book(
    session: AsyncSession, purchase: _Purchase, credits: Decimal, reason: str, now: datetime
) -> Refund:
    invoice, paid = purchase.invoice, purchase.paid
    assert invoice.id is not None and paid.id is not None and invoice.wallet_id is not None
    value = amount_minor(paid, credits)
    bonus = bonus_credits(purchase, credits)
    number = await invoices.next_number(session, SERIES)
    worth = f"{money.format_money(value, invoice.currency)} {invoice.currency}"
    words = f"credit note {number} · invoice {invoice.number} · {worth}"
    entry_id = await _void(session, invoice, paid, credits, f"refunded · {words}", now)
    if bonus > 0:
        assert purchase.bonus is not None and purchase.bonus.id is not None
        await _void(session, invoice, purchase.bonus, bonus, f"bonus voided · {number}", now)
    payment = await _payment(session, invoice.id)
    refund = Refund(
        number=number,
        invoice_id=invoice.id,
        wallet_id=invoice.wallet_id,
        customer_id=invoice.customer_id,
        grant_id=paid.id,
        credits=credits,
        bonus_credits=bonus,
        amount_minor=value,
        currency=invoice.currency,
        reason=reason,
        status=_status(payment, value),
        payment_id=payment.id if payment is not None and value > 0 else None,
        provider=payment.provider if payment is not None and value > 0 else None,
        entry_id=entry_id,
        created_at=now,
        updated_at=now,
        refunded_at=now if value == 0 else None,
    )
    session.add(refund)
    await session.flush()
    return refund


async def _void(
    session: AsyncSession,
    invoice: Invoice,
    grant: Grant,
    credits: Decimal,
    words: str,
    now: datetime,
) -> int:
    assert invoice.wallet_id is not None and grant.id is not None
    result = await wallets.debit(
        session,
        invoice.wallet_id,
        credits,
        kind=EntryKind.REFUND,
        cause=Cause(CauseType.INVOICE, str(invoice.id)),
        description=f"−{money.format_credits(credits)} {grant.kind.value} credits {words}",
        now=now,
        only_grant=grant.id,
        allow_debt=False,
    )
    assert result.entry_id is not None  # the credits were checked under the wallet's lock
    return result.entry_id


async def _payment(session: AsyncSession, invoice_id: int) -> payments.Payment | None:
    for payment in await payments.for_invoices(session, [invoice_id]):
        if payment.status is payments.PaymentStatus.SUCCEEDED:
            return payment
    return None


def _status(payment: payments.Payment | None, value: int) -> RefundStatus:
    if value == 0:
        return RefundStatus.SUCCEEDED
    if payment is None or payment.provider_reference is None:
        return RefundStatus.OFFLINE
    return RefundStatus.PENDING
