"""Collecting a usage invoice once it is finalized.

* nothing to pay (0.00): it is paid at once;
* the subscription pays with credits and the wallet (in the plan's currency) covers the total:
  the credits are debited (the total converted at the wallet's rate, ``money``) and the invoice
  is paid;
* otherwise the customer's default payment method is charged (``payments.open_payment``: a
  ``payments.charge`` job with our payment id as the idempotency key);
* without one, it waits: an operator marks it paid, or it falls overdue (``overdue``).

``pay_with_credits`` is also the ``payInvoiceWithCredits`` mutation, with typed errors. Lock
order: the wallet, then the invoice.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlmodel.ext.asyncio.session import AsyncSession

from app import invoices, money, payments, wallets
from app.billing import overdue
from app.billing.repository import USAGE_TYPES
from app.errors import Conflict, InsufficientCredits, ValidationFailed
from app.invoices import Invoice, InvoiceStatus
from app.plans import Subscription
from app.wallets import Cause, CauseType, EntryKind, Wallet


async def collect(
    session: AsyncSession,
    invoice: Invoice,
    subscription: Subscription,
    wallet: Wallet | None,
    now: datetime,
) -> None:
    """Start collecting a finalized usage invoice (``wallet``: locked, when paying with
    credits is chosen)."""
    assert invoice.id is not None
    if invoice.total_minor == 0:
        await invoices.mark_paid(session, invoice.id, now)
        return
    paying = wallet if subscription.pay_with_credits else None
    if paying is not None and await _debit(session, invoice, paying, now) is not None:
        assert subscription.id is not None
        await overdue.resume_if_clear(session, subscription.id, now)
        return
    methods = await payments.methods_of(session, invoice.customer_id)
    method = next((m for m in methods if m.is_default), None)
    if method is not None:
        await payments.open_payment(session, invoice, method, now)


async def payer_wallet(
    session: AsyncSession, subscription: Subscription, currency: str
) -> Wallet | None:
    """The wallet that pays the subscription's invoices, locked (first: see the lock order),
    when the subscription pays with credits."""
    if not subscription.pay_with_credits:
        return None
    found = await wallets.for_customer(session, subscription.customer_id, currency)
    if found is None or found.id is None:
        return None
    return await wallets.lock_wallet(session, found.id)


async def _debit(
    session: AsyncSession, invoice: Invoice, wallet: Wallet, now: datetime
) -> Decimal | None:
    """Pay the invoice from the locked wallet if it covers the total; the credits, or None."""
    assert invoice.id is not None and wallet.id is not None
    credits = money.credits_for_money(invoice.total_minor, invoice.currency, wallet.rate)
    if await wallets.expire(session, wallet.id, now) < credits:
        return None
    total = money.format_money(invoice.total_minor, invoice.currency)
    words = f"invoice {invoice.number} ({total} {invoice.currency})"
    await wallets.debit(
        session,
        wallet.id,
        credits,
        kind=EntryKind.CONSUMPTION,
        cause=Cause(CauseType.INVOICE, str(invoice.id)),
        description=f"−{money.format_credits(credits)} credits · {words}",
        now=now,
        allow_debt=False,
    )
    invoice.credits_paid = credits
    session.add(invoice)
    await session.flush()  # before mark_paid re-reads the row
    await invoices.mark_paid(session, invoice.id, now)
    return credits


async def pay_with_credits(session: AsyncSession, invoice_id: int, now: datetime) -> Invoice:
    """Pay a usage invoice from the customer's wallet in its currency, now, or say why not."""
    found = await invoices.get(session, invoice_id)
    if found.type not in USAGE_TYPES:
        raise ValidationFailed(
            "invoiceId", "only threshold and period-end invoices are paid with credits"
        )
    wallet = await wallets.for_customer(session, found.customer_id, found.currency)
    if wallet is None or wallet.id is None:
        raise ValidationFailed(
            "invoiceId",
            f"the customer has no {found.currency} wallet: credits pay an invoice only from a "
            "wallet in the plan's currency",
            code="currency_mismatch",
        )
    locked = await wallets.lock_wallet(session, wallet.id)
    assert locked is not None
    invoice = await invoices.lock(session, invoice_id)
    _require_open(invoice)
    needed = money.credits_for_money(invoice.total_minor, invoice.currency, locked.rate)
    balance = await wallets.expire(session, wallet.id, now)
    if balance < needed:
        raise InsufficientCredits(
            "invoiceId",
            f"the wallet has {money.format_credits(balance)} credits; the invoice needs "
            f"{money.format_credits(needed)}",
        )
    await payments.cancel_unsent(session, invoice_id, "canceled: paid with credits", now)
    paid = await _debit(session, invoice, locked, now)
    assert paid is not None
    if invoice.subscription_id is not None:
        await overdue.resume_if_clear(session, invoice.subscription_id, now)
    return invoice


def _require_open(invoice: Invoice) -> None:
    if invoice.status is InvoiceStatus.FINALIZED:
        return
    name = invoice.number or f"#{invoice.id}"
    codes = {
        InvoiceStatus.VOID: ("invoice_void", f"invoice {name} is void and cannot be paid"),
        InvoiceStatus.PAID: ("invoice_paid", f"invoice {name} is already paid"),
        InvoiceStatus.DRAFT: ("invoice_draft", f"invoice {name} is a draft"),
    }
    code, message = codes[invoice.status]
    raise Conflict("invoiceId", message, code=code)
