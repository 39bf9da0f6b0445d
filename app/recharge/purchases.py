"""A credit purchase from bill to credits: invoice and charge it, deliver the credits when it is
paid, take them back when its payment fails.

Lock order (README, "Lock order"), everywhere a purchase is billed or settles: the wallet
first — before any row that refers to it is inserted — then the invoice and its payment, the
invoice sequence, the recharge and the rule; the balance reactions (which hold the wallet)
follow it too, so none of these transactions can deadlock another.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, invoices, money, outbox, payments, wallets
from app.config import Settings
from app.customers import Customer
from app.invoices import Draft, Invoice, InvoiceType, LineInput, Terms, line_amount
from app.recharge import repository, rules
from app.recharge.models import Recharge, RechargeStatus, RechargeTrigger
from app.wallets import (
    Bundle,
    Cause,
    CauseType,
    EntryKind,
    Grant,
    GrantKind,
    GrantRequest,
    GrantSource,
    Wallet,
)


def lines(recharge: Recharge, wallet: Wallet, bundle: Bundle | None) -> list[LineInput]:
    """The invoice lines: a bundle at its price (and its bonus at 0), or credits × rate."""
    if bundle is not None:
        price = Decimal(money.format_money(bundle.price_minor, bundle.currency))
        items = [
            LineInput(
                f"{bundle.name}: {money.format_credits(bundle.credits)} credits", Decimal(1), price
            )
        ]
        if bundle.bonus_credits > 0:
            bonus = f"Bonus: {money.format_credits(bundle.bonus_credits)} free credits"
            items.append(LineInput(bonus, bundle.bonus_credits, Decimal(0)))
        return items
    words = f"{money.format_credits(recharge.credits)} credits"
    if recharge.trigger is not RechargeTrigger.MANUAL:
        words += f" · auto-recharge ({recharge.trigger.value})"
    if recharge.discount_percent:
        words += f" · {recharge.discount_percent.normalize():f}% discount"
    return [LineInput(words, recharge.credits, wallet.rate, recharge.discount_percent)]


def total(items: list[LineInput], currency: str) -> int:
    return sum(line_amount(item, currency) for item in items)


async def bill(
    session: AsyncSession,
    recharge: Recharge,
    wallet: Wallet,
    bundle: Bundle | None,
    method_id: int | None,
    settings: Settings,
    now: datetime,
) -> Invoice:
    """Invoice the recharge and ask for its charge (nothing to charge: it is paid at once)."""
    assert wallet.id is not None
    await wallets.lock_wallet(session, wallet.id)  # before the invoice sequence: see the lock order
    items = lines(recharge, wallet, bundle)
    method = None
    if total(items, wallet.currency) > 0:
        method = await payments.resolve_method(
            session, wallet.customer_id, method_id, "paymentMethodId"
        )
    draft = Draft(
        wallet.customer_id, wallet.currency, InvoiceType.CREDIT_PURCHASE, items, wallet.id
    )
    invoice = await invoices.issue(session, draft, Terms.of(settings), now)
    assert invoice.id is not None
    recharge.invoice_id = invoice.id
    await _save(session, recharge, now)
    if method is None:
        await on_paid(session, await invoices.mark_paid(session, invoice.id, now), settings, now)
        return invoice
    options = await repository.options(session, wallet.id)
    if options is not None and options.grant_before_payment:
        await deliver(session, recharge, invoice, now)
    await payments.open_payment(session, invoice, method, now)
    return invoice


async def deliver(
    session: AsyncSession, recharge: Recharge, invoice: Invoice, now: datetime
) -> None:
    """Grant the purchase's credits (once: each grant carries an idempotency key)."""
    assert recharge.id is not None and invoice.id is not None
    cause = Cause(CauseType.INVOICE, str(invoice.id))
    paid = GrantRequest(
        amount=recharge.credits,
        kind=GrantKind.PAID,
        source=_source(recharge),
        cost_minor=invoice.total_minor,
        reason=f"invoice {invoice.number}",
    )
    entry = await wallets.grant_credits(
        session,
        recharge.wallet_id,
        paid,
        cause=cause,
        idempotency_key=f"recharge-{recharge.id}",
        now=now,
    )
    if recharge.bonus_credits > 0:
        bonus = GrantRequest(
            amount=recharge.bonus_credits,
            kind=GrantKind.FREE,
            source=GrantSource.BUNDLE,
            reason=f"bonus · invoice {invoice.number}",
        )
        key = f"recharge-{recharge.id}-bonus"
        entry = await wallets.grant_credits(
            session, recharge.wallet_id, bonus, cause=cause, idempotency_key=key, now=now
        )
    recharge.granted_at = now
    await _save(session, recharge, now)
    data = await _recharged(session, recharge, invoice, entry.balance_after)
    await announcements.emit(session, "wallet.recharged", data, now)
    if recharge.trigger is not RechargeTrigger.MANUAL:  # tell the customer what was charged
        email = {**data, "total_minor": invoice.total_minor, "number": invoice.number}
        await announcements.notify(
            session, "recharge_succeeded", "customer", invoice.customer_id, email, now
        )
    await outbox.publish(
        session, f"wallet:{recharge.wallet_id}", {"type": "wallet.recharged", **data}, now
    )


async def on_paid(
    session: AsyncSession, invoice: Invoice, settings: Settings, now: datetime
) -> None:
    recharge = await _lock(session, invoice)
    if recharge is None or recharge.status is not RechargeStatus.PENDING:
        return
    if recharge.granted_at is None:
        await deliver(session, recharge, invoice, now)
    await _finish(session, recharge, RechargeStatus.SUCCEEDED, None, now)
    if recharge.rule_id is not None:
        await rules.payment_succeeded(session, recharge.rule_id, now)


async def on_failed(
    session: AsyncSession, invoice: Invoice, reason: str, settings: Settings, now: datetime
) -> None:
    """Nothing was paid: take back what was granted early, void the invoice, count the failure."""
    recharge = await _lock(session, invoice)
    if recharge is None or recharge.status is not RechargeStatus.PENDING:
        return
    why = f"payment failed: {reason}"[:500]
    await _abandon(session, recharge, invoice, why, now)
    assert invoice.id is not None
    await invoices.void(session, invoice.id, why, now)
    if recharge.rule_id is not None:
        await rules.payment_failed(
            session, recharge.rule_id, reason, settings.recharge_max_failures, now
        )


async def on_voided(
    session: AsyncSession, invoice: Invoice, settings: Settings, now: datetime
) -> None:
    recharge = await _lock(session, invoice)
    if recharge is not None and recharge.status is RechargeStatus.PENDING:
        await _abandon(session, recharge, invoice, f"invoice voided: {invoice.void_reason}", now)


async def _lock(session: AsyncSession, invoice: Invoice) -> Recharge | None:
    assert invoice.id is not None
    if invoice.wallet_id is not None:
        await wallets.lock_wallet(session, invoice.wallet_id)
    return await repository.lock_for_invoice(session, invoice.id)


async def _abandon(
    session: AsyncSession, recharge: Recharge, invoice: Invoice, reason: str, now: datetime
) -> None:
    if recharge.granted_at is not None:
        await take_back(session, recharge, invoice, reason, now)
    await _finish(session, recharge, RechargeStatus.FAILED, reason, now)


async def take_back(
    session: AsyncSession, recharge: Recharge, invoice: Invoice, reason: str, now: datetime
) -> None:
    """Reverse grants made before payment: what remains is voided, what was used is debt."""
    assert invoice.id is not None
    for grant_id in await repository.grants_of_invoice(session, recharge.wallet_id, invoice.id):
        grant = await session.get(Grant, grant_id)
        assert grant is not None
        await wallets.debit(
            session,
            recharge.wallet_id,
            grant.amount,
            kind=EntryKind.VOID,
            cause=Cause(CauseType.INVOICE, str(invoice.id)),
            description=f"−{money.format_credits(grant.amount)} credits taken back · {reason}",
            now=now,
            only_grant=grant_id,
            allow_debt=True,
        )


def _source(recharge: Recharge) -> GrantSource:
    if recharge.bundle_id is not None:
        return GrantSource.BUNDLE
    if recharge.trigger is RechargeTrigger.MANUAL:
        return GrantSource.PURCHASE
    return GrantSource.AUTO_RECHARGE


async def _recharged(
    session: AsyncSession, recharge: Recharge, invoice: Invoice, balance: Decimal
) -> dict[str, Any]:
    customer = await session.get(Customer, invoice.customer_id)
    return {
        "wallet_id": recharge.wallet_id,
        "customer_id": invoice.customer_id,
        "customer_external_id": customer.external_id if customer else None,
        "recharge_id": recharge.id,
        "trigger": recharge.trigger.value,
        "credits": str(recharge.credits),
        "bonus_credits": str(recharge.bonus_credits),
        "balance": str(balance),
        "invoice_id": invoice.id,
        "invoice_number": invoice.number,
        "amount": money.format_money(invoice.total_minor, invoice.currency),
        "currency": invoice.currency,
    }


async def _finish(
    session: AsyncSession,
    recharge: Recharge,
    status: RechargeStatus,
    reason: str | None,
    now: datetime,
) -> None:
    recharge.status = status
    recharge.failure_reason = reason
    recharge.settled_at = now
    await _save(session, recharge, now)


async def _save(session: AsyncSession, recharge: Recharge, now: datetime) -> None:
    recharge.updated_at = now
    session.add(recharge)
    await session.flush()
