"""Invoice use cases: create a draft, finalize (number, due date), mark paid, void.

Services validate, flush and never commit. Each state change locks the invoice row and
announces itself to webhooks (``invoice.created`` at finalization, ``invoice.paid``,
``invoice.payment_failed``) and emails the customer (the invoice, a failed payment) through
``app.announcements``, and to live subscribers (``invoice.updated``, ``app.live.invoices``),
in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, localcontext
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, money
from app.config import Settings
from app.customers import Customer
from app.errors import check_length
from app.invoices import numbering, repository
from app.invoices.errors import Conflict, ValidationFailed
from app.invoices.models import (
    Invoice,
    InvoiceLine,
    InvoicePaymentStatus,
    InvoiceStatus,
    InvoiceType,
)
from app.live import InvoiceChange, publish_invoice_update

HUNDRED = Decimal(100)
REASON_MAX = 500


@dataclass(frozen=True)
class Terms:
    """How invoices are numbered and when they fall due."""

    prefix: str = "TLY"
    net_days: int = 7

    @classmethod
    def of(cls, settings: Settings) -> Terms:
        return cls(prefix=settings.invoice_prefix, net_days=settings.invoice_net_terms_days)


@dataclass(frozen=True)
class LineInput:
    description: str
    quantity: Decimal
    unit_price: Decimal  # major units
    discount_percent: Decimal = Decimal(0)
    # An amount priced elsewhere (tiered usage, rounded once by its pricing), or a deduction
    # (what earlier invoices billed: negative). ``unit_price`` then only informs.
    amount_minor: int | None = None


@dataclass(frozen=True)
class UsagePeriod:
    """What a usage invoice (threshold, period_end) bills: a subscription's period."""

    subscription_id: int
    start: datetime
    end: datetime
    threshold_minor: int | None = None  # the level a threshold invoice was issued at


@dataclass(frozen=True)
class Draft:
    customer_id: int
    currency: str
    type: InvoiceType
    lines: Sequence[LineInput]
    wallet_id: int | None = None
    usage: UsagePeriod | None = None


def line_amount(line: LineInput, currency: str) -> int:
    """quantity × unit price × (1 − discount), rounded half-up to the minor unit once."""
    if line.amount_minor is not None:
        return line.amount_minor
    with localcontext() as context:
        context.prec = 60
        exact = line.quantity * line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED
    return money.to_minor_units(exact, currency)


def _line(invoice_id: int, position: int, line: LineInput, currency: str) -> InvoiceLine:
    if line.quantity < 0 or (line.unit_price < 0 and line.amount_minor is None):
        raise ValidationFailed("lines", "quantities and prices must not be negative")
    if not 0 <= line.discount_percent < HUNDRED:
        raise ValidationFailed("discountPercent", "must be at least 0 and below 100")
    return InvoiceLine(
        invoice_id=invoice_id,
        position=position,
        description=check_length(line.description, "description", REASON_MAX),
        quantity=line.quantity,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        amount_minor=line_amount(line, currency),
    )


async def create(session: AsyncSession, draft: Draft, now: datetime) -> Invoice:
    """A draft invoice with its lines and total."""
    if not draft.lines:
        raise ValidationFailed("lines", "an invoice needs at least one line")
    invoice = Invoice(
        customer_id=draft.customer_id,
        wallet_id=draft.wallet_id,
        type=draft.type,
        currency=money.normalize_currency(draft.currency),
        created_at=now,
        updated_at=now,
    )
    if draft.usage is not None:
        invoice.subscription_id = draft.usage.subscription_id
        invoice.period_start, invoice.period_end = draft.usage.start, draft.usage.end
        invoice.threshold_minor = draft.usage.threshold_minor
    session.add(invoice)
    await session.flush()
    assert invoice.id is not None
    lines = [_line(invoice.id, i, line, invoice.currency) for i, line in enumerate(draft.lines)]
    invoice.total_minor = sum(line.amount_minor for line in lines)
    if invoice.total_minor < 0:
        raise ValidationFailed("lines", "an invoice's total cannot be negative")
    session.add_all([*lines, invoice])
    await session.flush()
    return invoice


async def finalize(session: AsyncSession, invoice_id: int, terms: Terms, now: datetime) -> Invoice:
    """Give the draft its number and due date; it can be paid from now on."""
    invoice = await repository.lock(session, invoice_id)
    if invoice.status is not InvoiceStatus.DRAFT:
        raise Conflict("invoiceId", f"invoice {invoice.number} is already {invoice.status}")
    invoice.number = await numbering.next_number(session, terms.prefix)
    invoice.status = InvoiceStatus.FINALIZED
    invoice.finalized_at = now
    invoice.due_at = now + timedelta(days=terms.net_days)
    await _save(session, invoice, now)
    await publish_invoice_update(session, invoice, InvoiceChange.FINALIZED, now)
    data = await event_data(session, invoice)
    await announcements.emit(session, "invoice.created", data, now)
    await announcements.notify(
        session, "invoice_created", "customer", invoice.customer_id, data, now
    )
    return invoice


async def issue(session: AsyncSession, draft: Draft, terms: Terms, now: datetime) -> Invoice:
    """Create and finalize in one step (what a credit purchase needs to be charged)."""
    invoice = await create(session, draft, now)
    assert invoice.id is not None
    return await finalize(session, invoice.id, terms, now)


async def mark_paid(session: AsyncSession, invoice_id: int, now: datetime) -> Invoice:
    invoice = await repository.lock(session, invoice_id)
    _require_open(invoice, "paid")
    invoice.status = InvoiceStatus.PAID
    invoice.payment_status = InvoicePaymentStatus.SUCCEEDED
    invoice.paid_at = now
    await _save(session, invoice, now)
    await publish_invoice_update(session, invoice, InvoiceChange.PAID, now)
    await announcements.emit(session, "invoice.paid", await event_data(session, invoice), now)
    return invoice


async def payment_failed(
    session: AsyncSession, invoice_id: int, reason: str, now: datetime
) -> Invoice:
    """Record that collecting the invoice failed (it stays owed until paid or voided)."""
    invoice = await repository.lock(session, invoice_id)
    _require_open(invoice, "charged")
    invoice.payment_status = InvoicePaymentStatus.FAILED
    await _save(session, invoice, now)
    await publish_invoice_update(
        session, invoice, InvoiceChange.PAYMENT_FAILED, now, failure_reason=reason
    )
    data = {**await event_data(session, invoice), "failure_reason": reason}
    await announcements.emit(session, "invoice.payment_failed", data, now)
    await announcements.notify(
        session, "payment_failed", "customer", invoice.customer_id, data, now
    )
    return invoice


async def void(session: AsyncSession, invoice_id: int, reason: str, now: datetime) -> Invoice:
    """Cancel an unpaid invoice; its number stays taken (the sequence keeps no gaps)."""
    why = check_length(reason, "reason", REASON_MAX)
    invoice = await repository.lock(session, invoice_id)
    if invoice.status is InvoiceStatus.PAID:
        raise Conflict("invoiceId", f"invoice {invoice.number} is paid", code="invoice_paid")
    if invoice.status is InvoiceStatus.VOID:
        raise Conflict(
            "invoiceId", f"invoice {invoice.number} is already void", code="invoice_void"
        )
    invoice.status = InvoiceStatus.VOID
    invoice.voided_at = now
    invoice.void_reason = why
    await _save(session, invoice, now)
    await publish_invoice_update(session, invoice, InvoiceChange.VOIDED, now)
    return invoice


def _require_open(invoice: Invoice, doing: str) -> None:
    if invoice.status is InvoiceStatus.FINALIZED:
        return
    name = invoice.number or f"#{invoice.id}"
    reasons = {
        InvoiceStatus.VOID: ("invoice_void", f"invoice {name} is void and cannot be {doing}"),
        InvoiceStatus.PAID: ("invoice_paid", f"invoice {name} is already paid"),
        InvoiceStatus.DRAFT: ("invoice_draft", f"invoice {name} is a draft: finalize it first"),
    }
    code, message = reasons[invoice.status]
    raise Conflict("invoiceId", message, code=code)


async def _save(session: AsyncSession, invoice: Invoice, now: datetime) -> None:
    invoice.updated_at = now
    session.add(invoice)
    await session.flush()


async def event_data(session: AsyncSession, invoice: Invoice) -> dict[str, Any]:
    """The invoice as webhook receivers see it."""
    customer = await session.get(Customer, invoice.customer_id)
    return {
        "id": invoice.id,
        "number": invoice.number,
        "type": invoice.type.value,
        "status": invoice.status.value,
        "payment_status": invoice.payment_status.value,
        "customer_id": invoice.customer_id,
        "customer_external_id": customer.external_id if customer else None,
        "wallet_id": invoice.wallet_id,
        "currency": invoice.currency,
        "total": money.format_money(invoice.total_minor, invoice.currency),
        "total_minor": invoice.total_minor,
        "due_at": invoice.due_at.isoformat() if invoice.due_at else None,
        "subscription_id": invoice.subscription_id,
        "period_start": invoice.period_start.isoformat() if invoice.period_start else None,
        "period_end": invoice.period_end.isoformat() if invoice.period_end else None,
    }
