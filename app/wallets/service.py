"""Wallet use cases: create, set policy, grant, void, burn, expire, bundles, signup bonus.

Every function validates its input (raising typed errors that name the field), changes balances
only through ``app.wallets.ledger`` under the wallet's row lock, flushes and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app import customers, idempotency, money
from app.customers import Customer
from app.errors import check_length
from app.wallets import ledger, repository, rollover
from app.wallets.errors import Conflict, InsufficientCredits, NotFound, ValidationFailed
from app.wallets.ledger import Cause, NewGrant, Usage
from app.wallets.models import (
    Bundle,
    CauseType,
    DepletionPolicy,
    EntryKind,
    Grant,
    GrantKind,
    GrantSource,
    LedgerEntry,
    RolloverPolicy,
    SignupBonus,
    Wallet,
)

REASON_MAX = 500
MAX_PRIORITY = 1000


def _policy(policy: DepletionPolicy, overdraft_limit: object | None) -> Decimal:
    if policy is DepletionPolicy.OVERDRAFT:
        if overdraft_limit is None:
            raise ValidationFailed("overdraftLimit", "is required with the overdraft policy")
        return money.credits(overdraft_limit, "overdraftLimit")
    if overdraft_limit not in (None, 0, "0"):
        raise ValidationFailed("overdraftLimit", "only applies to the overdraft policy")
    return Decimal(0)


async def create_wallet(
    session: AsyncSession,
    customer: Customer,
    *,
    currency: str | None,
    rate: object,
    policy: DepletionPolicy,
    overdraft_limit: object | None,
    now: datetime,
) -> Wallet:
    """One wallet per customer and currency. The first wallet receives the signup bonus."""
    assert customer.id is not None
    code = money.normalize_currency(currency or customer.currency)
    wallet = Wallet(
        customer_id=customer.id,
        currency=code,
        rate=money.rate(rate),
        policy=policy,
        overdraft_limit=_policy(policy, overdraft_limit),
        created_at=now,
        updated_at=now,
    )
    await customers.lock(session, customer.id)  # concurrent first wallets: one bonus
    first = not await repository.for_customers(session, [customer.id])
    try:
        async with session.begin_nested():
            session.add(wallet)
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "currency", f"{customer.external_id} already has a {code} wallet", code="duplicate"
        ) from None
    bonus = await repository.signup_bonus(session)
    if first and bonus is not None and bonus.credits > 0:
        await _grant_locked(
            session,
            wallet,
            NewGrant(
                amount=bonus.credits,
                kind=GrantKind.FREE,
                source=GrantSource.SIGNUP_BONUS,
                expires_at=now + timedelta(days=bonus.expires_in_days)
                if bonus.expires_in_days
                else None,
                description="Signup bonus",
            ),
            Cause(CauseType.SYSTEM, f"customer:{customer.id}"),
            now,
        )
    return wallet


async def update_policy(
    session: AsyncSession,
    wallet_id: int,
    policy: DepletionPolicy,
    overdraft_limit: object | None,
    now: datetime,
) -> Wallet:
    limit = _policy(policy, overdraft_limit)
    wallet = await ledger.lock_wallet(session, wallet_id)
    if wallet is None:
        raise NotFound("walletId", f"no wallet with id {wallet_id}")
    wallet.policy = policy
    wallet.overdraft_limit = limit
    wallet.updated_at = now
    session.add(wallet)
    await session.flush()
    return wallet


@dataclass(frozen=True)
class GrantRequest:
    amount: object
    kind: GrantKind = GrantKind.FREE
    source: GrantSource = GrantSource.MANUAL
    priority: int = 50
    expires_at: datetime | None = None
    cost_minor: int | None = None
    reason: str = ""
    rollover_policy: RolloverPolicy | None = None
    rollover_months: int | None = None
    rollover_cap: object | None = None


def _describe_grant(new: NewGrant) -> str:
    words = f"{money.format_credits(new.amount)} {new.kind.value} credits"
    label = new.source.value.replace("_", " ")
    return f"+{words} · {label}" + (f" · {new.description}" if new.description else "")


async def _grant_locked(
    session: AsyncSession, wallet: Wallet, new: NewGrant, cause: Cause, now: datetime
) -> tuple[Grant, LedgerEntry]:
    kind = EntryKind.PURCHASE if new.kind is GrantKind.PAID else EntryKind.GRANT
    return await ledger.credit(
        session,
        wallet,
        new,
        entry_kind=kind,
        cause=cause,
        description=_describe_grant(new),
        now=now,
    )


def _validate_grant(request: GrantRequest, now: datetime) -> NewGrant:
    amount = money.credits(request.amount, "amount")
    if not 0 <= request.priority <= MAX_PRIORITY:
        raise ValidationFailed("priority", f"must be between 0 and {MAX_PRIORITY}")
    if request.expires_at is not None:
        if request.expires_at.tzinfo is None:
            raise ValidationFailed("expiresAt", "must include a time zone")
        if request.expires_at <= now:
            raise ValidationFailed("expiresAt", "must be in the future")
    if request.cost_minor is not None:
        if request.kind is not GrantKind.PAID:
            raise ValidationFailed("cost", "only paid grants carry a cost")
        if request.cost_minor < 0:
            raise ValidationFailed("cost", "must not be negative")
    own = rollover.validate(
        request.rollover_policy, request.rollover_months, request.rollover_cap, "rollover"
    )
    return NewGrant(
        amount=amount,
        kind=request.kind,
        source=request.source,
        priority=request.priority,
        expires_at=request.expires_at,
        cost_minor=request.cost_minor,
        description=check_length(request.reason, "reason", REASON_MAX, required=False),
        rollover_policy=own.policy if own else None,
        rollover_months=own.months if own else None,
        rollover_cap=own.cap if own else None,
    )


def _fingerprinted(new: NewGrant) -> dict[str, object]:
    """The request as replays compare it (no rollover override: as before overrides existed)."""
    return {k: v for k, v in new.__dict__.items() if not (k.startswith("rollover") and v is None)}


async def grant_credits(
    session: AsyncSession,
    wallet_id: int,
    request: GrantRequest,
    *,
    cause: Cause,
    idempotency_key: str,
    now: datetime,
) -> LedgerEntry:
    """Add credits. Replaying the same idempotency key returns the first result."""
    new = _validate_grant(request, now)
    scope = f"grant:{wallet_id}"
    earlier = await idempotency.claim(
        session, scope, idempotency_key, {"wallet": wallet_id, **_fingerprinted(new)}, now
    )
    if earlier is not None:
        return await repository.entry(session, earlier)
    wallet = await ledger.lock_wallet(session, wallet_id)
    if wallet is None:
        raise NotFound("walletId", f"no wallet with id {wallet_id}")
    if wallet.balance + new.amount > money.CREDITS_LIMIT:
        raise ValidationFailed(
            "amount",
            f"would bring the balance over {money.CREDITS_LIMIT:,} credits (the limit)",
            code="too_large",
        )
    if new.rollover_policy is not None:
        await rollover.ensure_scheduled(session, wallet, now)
    _, entry = await _grant_locked(session, wallet, new, cause, now)
    assert entry.id is not None
    await idempotency.record(session, scope, idempotency_key, entry.id)
    return entry


async def void_credits(
    session: AsyncSession,
    wallet_id: int,
    amount: object,
    *,
    reason: str,
    grant_id: int | None,
    cause: Cause,
    idempotency_key: str,
    now: datetime,
) -> LedgerEntry:
    """Remove unused credits, from one grant or in burn order. Never below zero."""
    credits = money.credits(amount, "amount")
    why = check_length(reason, "reason", REASON_MAX)
    scope = f"void:{wallet_id}"
    request = {"wallet": wallet_id, "amount": credits, "grant": grant_id, "reason": why}
    earlier = await idempotency.claim(session, scope, idempotency_key, request, now)
    if earlier is not None:
        return await repository.entry(session, earlier)
    await _require_wallet(session, wallet_id)
    if grant_id is not None:
        grant = await session.get(Grant, grant_id)
        if grant is None or grant.wallet_id != wallet_id:
            raise NotFound("grantId", f"wallet {wallet_id} has no grant {grant_id}")
    result = await ledger.debit(
        session,
        wallet_id,
        credits,
        kind=EntryKind.VOID,
        cause=cause,
        description=f"−{money.format_credits(credits)} credits voided · {why}",
        now=now,
        only_grant=grant_id,
        allow_debt=False,
    )
    if result.entry_id is None:
        available = credits - result.shortfall
        raise InsufficientCredits(
            "amount",
            f"only {money.format_credits(available)} credits can be voided",
        )
    await idempotency.record(session, scope, idempotency_key, result.entry_id)
    return await repository.entry(session, result.entry_id)


async def _require_wallet(session: AsyncSession, wallet_id: int) -> None:
    if await session.get(Wallet, wallet_id) is None:
        raise NotFound("walletId", f"no wallet with id {wallet_id}")


async def burn(
    session: AsyncSession,
    wallet_id: int,
    credits: Decimal,
    *,
    description: str,
    cause: Cause,
    now: datetime,
    usage: Usage | None = None,
) -> ledger.Debit:
    """Consume credits in burn order; what grants cannot cover becomes debt.

    Usage that already happened is never refused: the depletion policy only decides
    entitlement (future access), never whether a debit is recorded.
    """
    amount = money.round_credits(credits)
    if amount <= 0:
        raise ValidationFailed("credits", "must be greater than zero", code="invalid_amount")
    return await ledger.debit(
        session,
        wallet_id,
        amount,
        kind=EntryKind.CONSUMPTION,
        cause=cause,
        description=description,
        now=now,
        usage=usage,
    )


async def expire_due(session: AsyncSession, now: datetime) -> int:
    """Expire every grant due at ``now``; wallets in id order so runs cannot deadlock."""
    wallet_ids = await repository.wallets_with_due_grants(session, now)
    for wallet_id in wallet_ids:
        await ledger.lock_wallet(session, wallet_id)
        await ledger.expire(session, wallet_id, now)
    return len(wallet_ids)


@dataclass(frozen=True)
class Entitlement:
    allowed: bool
    reason: str
    balance: Decimal
    cost: Decimal


def entitlement(wallet: Wallet, cost: Decimal, *, balance: Decimal | None = None) -> Entitlement:
    """Can the customer use ``cost`` more credits under the wallet's depletion policy?
    ``balance``: the balance now (``app.wallets.balances``), when it differs from the row's."""
    now = wallet.balance if balance is None else balance
    after = now - cost
    if wallet.policy is DepletionPolicy.BLOCK and (now <= 0 or after < 0):
        return Entitlement(False, "insufficient credits", now, cost)
    if wallet.policy is DepletionPolicy.OVERDRAFT and (
        now <= -wallet.overdraft_limit or after < -wallet.overdraft_limit
    ):
        return Entitlement(False, "overdraft limit reached", now, cost)
    return Entitlement(True, "ok", now, cost)


@dataclass(frozen=True)
class BundleInput:
    code: str
    name: str
    credits: object
    price: object
    currency: str
    bonus_credits: object = 0
    active: bool = True


async def create_bundle(session: AsyncSession, data: BundleInput, now: datetime) -> Bundle:
    currency = money.normalize_currency(data.currency)
    bundle = Bundle(
        code=check_length(data.code, "code", 100),
        name=check_length(data.name, "name", 255),
        credits=money.credits(data.credits, "credits"),
        bonus_credits=money.credits(data.bonus_credits, "bonusCredits", allow_zero=True),
        price_minor=money.minor_units(data.price, currency, "price"),
        currency=currency,
        active=data.active,
        created_at=now,
    )
    try:
        async with session.begin_nested():
            session.add(bundle)
            await session.flush()
    except IntegrityError:
        raise Conflict(
            "code", f"a bundle with code '{bundle.code}' exists", code="duplicate"
        ) from None
    return bundle


async def update_bundle(
    session: AsyncSession,
    code: str,
    *,
    name: str | None,
    credits: object | None,
    bonus_credits: object | None,
    price: object | None,
    active: bool | None,
) -> Bundle:
    bundle = await repository.bundle_by_code(session, code)
    if name is not None:
        bundle.name = check_length(name, "name", 255)
    if credits is not None:
        bundle.credits = money.credits(credits, "credits")
    if bonus_credits is not None:
        bundle.bonus_credits = money.credits(bonus_credits, "bonusCredits", allow_zero=True)
    if price is not None:
        bundle.price_minor = money.minor_units(price, bundle.currency, "price")
    if active is not None:
        bundle.active = active
    session.add(bundle)
    await session.flush()
    return bundle


async def set_signup_bonus(
    session: AsyncSession, credits: object, expires_in_days: int | None, now: datetime
) -> SignupBonus:
    amount = money.credits(credits, "credits", allow_zero=True)
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise ValidationFailed("expiresInDays", "must be between 1 and 3650")
    bonus = await repository.signup_bonus(session) or SignupBonus(updated_at=now)
    bonus.credits = amount
    bonus.expires_in_days = expires_in_days
    bonus.updated_at = now
    session.add(bonus)
    await session.flush()
    return bonus
