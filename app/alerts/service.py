"""Spend-alert use cases: read and change a wallet's alert levels, and announce firings.

Levels change under the wallet's row lock (the lock balance changes take), so the evaluator
never sees a half-changed set. A wallet keeps the defaults until its levels are first changed;
from then on exactly the chosen set applies (``resetAlertThresholds`` returns to the defaults).
The use cases and views keep the API's words (``set_thresholds`` is ``setAlertThresholds``,
``ThresholdView`` is an ``AlertThreshold``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app import money, notifications, wallets, webhooks
from app.alerts import evaluate, repository
from app.alerts.levels import (
    DEFAULTS,
    DEPLETED,
    MAX_LEVELS,
    Level,
    describe,
    duplicate,
    ordered,
    validate,
    validate_all,
)
from app.alerts.models import AlertFiring, AlertKind, AlertLevel, AlertSettings
from app.config import Settings
from app.customers import Customer
from app.errors import NotFound, ValidationFailed
from app.money import plain_credits
from app.wallets import Wallet


@dataclass(frozen=True)
class ThresholdView:
    threshold: Level
    level: (
        Decimal | None
    )  # the balance it stands for; None: a percentage while the reference balance is zero
    armed: bool  # False: it has fired and the balance is still below it
    is_default: bool


@dataclass(frozen=True)
class WalletAlerts:
    wallet: Wallet
    uses_defaults: bool
    thresholds: list[ThresholdView]  # the chosen ones, then "depleted"


async def wallet_alerts(session: AsyncSession, wallet_id: int) -> WalletAlerts:
    wallet = await wallets.get(session, wallet_id)
    chosen, uses_defaults = await _current(session, wallet_id)
    fired = {(state.kind, state.value) for state in await repository.states(session, wallet_id)}
    views = [
        ThresholdView(
            threshold=t,
            level=t.balance(wallet.reference_balance),
            armed=(t.kind, t.value) not in fired,
            is_default=uses_defaults and t in DEFAULTS,
        )
        for t in [*ordered(chosen), DEPLETED]
    ]
    return WalletAlerts(wallet, uses_defaults, views)


async def _current(session: AsyncSession, wallet_id: int) -> tuple[list[Level], bool]:
    if await repository.settings(session, wallet_id) is None:
        return list(DEFAULTS), True
    rows = await repository.levels(session, wallet_id)
    return [Level(row.kind, row.value) for row in rows], False


async def set_thresholds(
    session: AsyncSession,
    wallet_id: int,
    items: Sequence[tuple[AlertKind, object]],
    now: datetime,
) -> WalletAlerts:
    """Replace the wallet's levels with exactly ``items`` (an empty list: only depleted)."""
    await _lock(session, wallet_id)
    await _replace(session, wallet_id, validate_all(items), now)
    return await wallet_alerts(session, wallet_id)


async def add_threshold(
    session: AsyncSession, wallet_id: int, kind: AlertKind, value: object, now: datetime
) -> WalletAlerts:
    await _lock(session, wallet_id)
    level = validate(kind, value)
    current, _ = await _current(session, wallet_id)
    if level in current:
        raise duplicate(level)
    if len(current) >= MAX_LEVELS:
        raise ValidationFailed("value", f"at most {MAX_LEVELS} thresholds per wallet")
    await _replace(session, wallet_id, [*current, level], now)
    return await wallet_alerts(session, wallet_id)


async def remove_threshold(
    session: AsyncSession, wallet_id: int, kind: AlertKind, value: object, now: datetime
) -> WalletAlerts:
    await _lock(session, wallet_id)
    level = validate(kind, value)
    current, _ = await _current(session, wallet_id)
    if level not in current:
        raise NotFound("value", f"the wallet has no {describe(level)} alert")
    await _replace(session, wallet_id, [t for t in current if t != level], now)
    return await wallet_alerts(session, wallet_id)


async def reset_thresholds(session: AsyncSession, wallet_id: int, now: datetime) -> WalletAlerts:
    """Back to the defaults (50, 25 and 10 % remaining)."""
    await _lock(session, wallet_id)
    await repository.clear_levels(session, wallet_id)
    settings = await repository.settings(session, wallet_id)
    if settings is not None:
        await session.delete(settings)
    await evaluate.sync(session, wallet_id, now)
    return await wallet_alerts(session, wallet_id)


async def _lock(session: AsyncSession, wallet_id: int) -> None:
    if await wallets.lock_wallet(session, wallet_id) is None:
        raise NotFound("walletId", f"no wallet with id {wallet_id}")


async def _replace(
    session: AsyncSession, wallet_id: int, chosen: list[Level], now: datetime
) -> None:
    settings = await repository.settings(session, wallet_id) or AlertSettings(
        wallet_id=wallet_id, updated_at=now
    )
    settings.updated_at = now
    await repository.clear_levels(session, wallet_id)
    session.add(settings)
    session.add_all(
        AlertLevel(wallet_id=wallet_id, kind=t.kind, value=t.value, created_at=now) for t in chosen
    )
    await evaluate.sync(session, wallet_id, now)


async def notify(
    session: AsyncSession, settings: Settings, firing_ids: Sequence[int], now: datetime
) -> int:
    """Per wallet: one email about the most severe firing, and a webhook event per firing.

    Idempotent: firings already announced are skipped. Returns how many were announced.
    """
    firings = await repository.lock_unnotified(session, firing_ids)
    by_wallet: dict[int, list[AlertFiring]] = defaultdict(list)
    for firing in firings:
        by_wallet[firing.wallet_id].append(firing)
    for wallet_id in sorted(by_wallet):
        await _announce(session, settings, wallet_id, by_wallet[wallet_id], now)
    return len(firings)


async def _announce(
    session: AsyncSession,
    settings: Settings,
    wallet_id: int,
    firings: list[AlertFiring],
    now: datetime,
) -> None:
    wallet = await wallets.get(session, wallet_id)
    customer = await session.get(Customer, wallet.customer_id)
    assert customer is not None
    for firing in firings:
        data = _event_data(firing, wallet, customer)
        await webhooks.emit(session, "alert.triggered", data, now, key=f"alert:{firing.id}")
        if firing.kind is AlertKind.DEPLETED:
            await webhooks.emit(session, "wallet.depleted", data, now, key=f"depleted:{firing.id}")
        firing.notified_at = now
        session.add(firing)
    severest = _severest(firings)
    message = notifications.Message(
        template="wallet_depleted" if severest.kind is AlertKind.DEPLETED else "alert_triggered",
        to=notifications.CUSTOMER,
        customer_id=customer.id,
        data=_email_data(severest, wallet),
        key=f"alert:{severest.id}",
    )
    await notifications.write(session, settings, message, now)


def _severest(firings: list[AlertFiring]) -> AlertFiring:
    """Depleted if it fired, else the lowest level (``firings`` are sorted by level)."""
    depleted = [f for f in firings if f.kind is AlertKind.DEPLETED]
    return depleted[0] if depleted else firings[0]


def _event_data(firing: AlertFiring, wallet: Wallet, customer: Customer) -> dict[str, Any]:
    return {
        "alert_id": firing.id,
        "kind": firing.kind.value,
        "threshold": plain_credits(firing.value),
        "level": plain_credits(firing.level),
        "wallet_id": wallet.id,
        "customer_id": customer.id,
        "customer_external_id": customer.external_id,
        "currency": wallet.currency,
        "balance": plain_credits(firing.balance),
        "reference_balance": plain_credits(firing.reference_balance),
        "fired_at": firing.fired_at.isoformat(),
    }


def _email_data(firing: AlertFiring, wallet: Wallet) -> dict[str, Any]:
    value = money.to_minor_units(firing.balance * wallet.rate, wallet.currency)
    return {
        "balance": plain_credits(firing.balance),
        "balance_value_minor": value,
        "currency": wallet.currency,
        "threshold_kind": firing.kind.value,
        "threshold": plain_credits(firing.value),
        "level": plain_credits(firing.level),
        "reference_balance": plain_credits(firing.reference_balance),
        "policy": wallet.policy.value,
        "overdraft_limit": plain_credits(wallet.overdraft_limit),
    }
