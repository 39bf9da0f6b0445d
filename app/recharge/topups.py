"""Top-ups: buy credits or a bundle for a wallet, once per idempotency key.

A top-up is a manual recharge: a finalized ``credit_purchase`` invoice and a payment whose job
charges it; the credits land when the payment succeeds (``app.flows.settlement``). The same key with
the same request returns the first top-up, even when both arrive at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy.dialects.postgresql import insert
from sqlmodel.ext.asyncio.session import AsyncSession

from app import idempotency, money, wallets
from app.config import Settings
from app.recharge import purchases
from app.recharge.errors import NotFound, ValidationFailed
from app.recharge.models import Recharge, RechargeTrigger, TopUpOptions
from app.wallets import Bundle, Wallet


@dataclass(frozen=True)
class TopUpRequest:
    wallet_id: int
    idempotency_key: str
    credits: object | None = None
    bundle_code: str | None = None
    payment_method_id: int | None = None  # default: the customer's default method


def _amount(request: TopUpRequest) -> Decimal | None:
    if (request.credits is None) == (request.bundle_code is None):
        raise ValidationFailed("credits", "give either credits or bundleCode (one of them)")
    if request.credits is None:
        return None
    return money.credits(request.credits, "credits")


async def top_up(
    session: AsyncSession, request: TopUpRequest, settings: Settings, now: datetime
) -> Recharge:
    amount = _amount(request)
    scope = f"topup:{request.wallet_id}"
    fingerprint = {
        "wallet": request.wallet_id,
        "credits": amount,
        "bundle": request.bundle_code,
        "method": request.payment_method_id,
    }
    earlier = await idempotency.claim(session, scope, request.idempotency_key, fingerprint, now)
    if earlier is not None:
        found = await session.get(Recharge, earlier)
        assert found is not None
        return found
    # The wallet first, before any row that refers to it (the lock order: README): a row
    # inserted first would share-lock the wallet through its foreign key, and two top-ups
    # holding that share lock would each wait for the other's to end.
    wallet = await wallets.lock_wallet(session, request.wallet_id)
    if wallet is None:
        raise NotFound("walletId", f"no wallet with id {request.wallet_id}")
    bundle = await _bundle(session, request.bundle_code, wallet)
    recharge = _recharge(wallet, amount, bundle, now)
    if bundle is None:
        _priced(purchases.total(purchases.lines(recharge, wallet, None), wallet.currency), wallet)
    session.add(recharge)
    await session.flush()
    await purchases.bill(
        session, recharge, wallet, bundle, request.payment_method_id, settings, now
    )
    assert recharge.id is not None
    await idempotency.record(session, scope, request.idempotency_key, recharge.id)
    return recharge


def _priced(cost: int, wallet: Wallet) -> None:
    """Credits bought by number cost at least a minor unit and at most ``MINOR_LIMIT``."""
    if cost == 0:
        raise ValidationFailed(
            "credits", "is worth less than the smallest unit of money", code="invalid_amount"
        )
    if cost > money.MINOR_LIMIT:
        limit = money.format_money(money.MINOR_LIMIT, wallet.currency)
        raise ValidationFailed(
            "credits", f"cost more than {limit} {wallet.currency} (the limit)", code="too_large"
        )


def _recharge(
    wallet: Wallet, amount: Decimal | None, bundle: Bundle | None, now: datetime
) -> Recharge:
    assert wallet.id is not None
    credits = bundle.credits if bundle is not None else amount
    assert credits is not None
    return Recharge(
        wallet_id=wallet.id,
        trigger=RechargeTrigger.MANUAL,
        credits=credits,
        bonus_credits=bundle.bonus_credits if bundle is not None else Decimal(0),
        bundle_id=bundle.id if bundle is not None else None,
        created_at=now,
        updated_at=now,
    )


async def _bundle(session: AsyncSession, code: str | None, wallet: Wallet) -> Bundle | None:
    if code is None:
        return None
    try:
        bundle = await wallets.bundle_by_code(session, code.strip(), "bundleCode")
    except NotFound:
        raise NotFound(
            "bundleCode", f"no bundle with code '{code}'", code="unknown_bundle"
        ) from None
    if not bundle.active:
        raise ValidationFailed("bundleCode", f"bundle '{code}' is not on sale")
    if bundle.currency != wallet.currency:
        raise ValidationFailed(
            "bundleCode", f"bundle '{code}' is priced in {bundle.currency}, not {wallet.currency}"
        )
    return bundle


@dataclass(frozen=True)
class OptionsChange:
    """A change to a wallet's top-up options; None leaves an option as it is."""

    grant_before_payment: bool | None = None
    customer_switches_auto_recharge: bool | None = None

    def values(self) -> dict[str, bool]:
        found = {
            "grant_before_payment": self.grant_before_payment,
            "customer_switches_auto_recharge": self.customer_switches_auto_recharge,
        }
        return {name: value for name, value in found.items() if value is not None}


async def set_options(
    session: AsyncSession, wallet_id: int, change: OptionsChange, now: datetime
) -> TopUpOptions:
    """The wallet's top-up options: "grant before payment" lands credits at once; "customer
    switches auto-recharge" lets the customer turn the auto-recharge rule on and off."""
    if await wallets.lock_wallet(session, wallet_id) is None:  # before its row: the lock order
        raise NotFound("walletId", f"no wallet with id {wallet_id}")
    values = change.values()
    statement = (
        insert(TopUpOptions)
        .values(wallet_id=wallet_id, updated_at=now, **values)
        .on_conflict_do_update(index_elements=["wallet_id"], set_={**values, "updated_at": now})
    )
    await (await session.connection()).execute(statement)
    options = await session.get(TopUpOptions, wallet_id, populate_existing=True)
    assert options is not None
    return options
