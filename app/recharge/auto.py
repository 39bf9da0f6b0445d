"""Auto-recharge: rules start recharges; the ``recharge.start`` job invoices and charges them.

``evaluate`` is a wallet reaction (``app.recharge.wallet_reaction``): one statement over the wallets
a transaction changed starts a recharge for every enabled rule triggered by a balance
(``RuleTrigger.THRESHOLD``, the API's word) whose wallet is at or below its trigger balance (the
``threshold`` column) and out of its cooldown. The partial unique index ``uq_recharges_in_flight``
lets at most one auto-recharge per wallet be pending, so fifty debits while a payment is in flight
start nothing more. ``run_intervals`` (on the scheduler) does the same for interval rules.

A target rule buys ``target − balance`` as one purchase, however deep the deficit. The job
decides on the balance when it runs, under the wallet's lock: a recharge triggered by the balance
that credits which landed meanwhile (a manual top-up) lifted above the trigger balance is
skipped, and a target
rule buys up to its target from the balance of that moment — nothing is bought twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import TextClause, text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money, outbox, wallets
from app.config import Settings
from app.db import sql
from app.errors import DomainError
from app.recharge import purchases, repository, rules, schedule
from app.recharge.models import Recharge, RechargeRule, RechargeStatus, RuleMethod, RuleTrigger
from app.recharge.rules import RuleInput
from app.wallets import Wallet

START = "recharge.start"

STARTABLE = sql.load("app.recharge", "startable")

STARTED = sql.load("app.recharge", "started")

START_RECHARGES = "WITH " + STARTED + "SELECT id FROM started ORDER BY id"

AT_TRIGGER_BALANCE = STARTABLE.format(
    condition="r.trigger = 'threshold' AND w.balance <= r.threshold "
    "AND (r.last_triggered_at IS NULL "
    "OR r.last_triggered_at + r.cooldown_seconds * interval '1 second' <= :now)"
)

BALANCE_TRIGGERED = text(START_RECHARGES.format(startable=AT_TRIGGER_BALANCE))

INTERVAL = text(
    START_RECHARGES.format(
        startable=STARTABLE.format(condition="r.trigger = 'interval' AND r.next_run_at <= :now")
    )
)

DUE_INTERVALS = text(
    "SELECT wallet_id FROM recharge_rules "
    "WHERE enabled AND trigger = 'interval' AND next_run_at <= :now ORDER BY wallet_id"
)


async def evaluate(session: AsyncSession, wallet_ids: Sequence[int], now: datetime) -> None:
    """Start the recharges the wallets' balances call for (the balance reactions do this in
    their shared statement, with ``app.recharge.wallet_reaction``)."""
    await _start(session, BALANCE_TRIGGERED, wallet_ids, now)


async def enqueue_starts(session: AsyncSession, recharge_ids: list[int], now: datetime) -> None:
    """One ``recharge.start`` job per recharge started."""
    for recharge_id in recharge_ids:
        await outbox.enqueue(session, START, {"recharge_id": recharge_id}, now)


async def run_intervals(session: AsyncSession, now: datetime) -> int:
    """Start every due interval recharge and move each rule to its next run."""
    connection = await session.connection()
    wallet_ids = [int(r[0]) for r in await connection.execute(DUE_INTERVALS, {"now": now})]
    for wallet_id in wallet_ids:  # in id order, as every batch locks wallets
        await wallets.lock_wallet(session, wallet_id)
    started = await _start(session, INTERVAL, wallet_ids, now)
    for wallet_id in wallet_ids:
        rule = await repository.rule_of(session, wallet_id, lock=True)
        if rule is not None and rule.interval is not None and rule.anchor_at is not None:
            rule.next_run_at = schedule.next_after(rule.anchor_at, rule.interval, now)
            session.add(rule)
    await session.flush()
    return len(started)


async def configure(
    session: AsyncSession, data: RuleInput, settings: Settings, now: datetime
) -> RechargeRule:
    """Set the wallet's rule, and start a recharge at once if the balance already calls for it."""
    rule = await rules.set_rule(session, data, settings, now)
    await evaluate(session, [data.wallet_id], now)
    return rule


async def _start(
    session: AsyncSession, statement: TextClause, wallet_ids: Sequence[int], now: datetime
) -> list[int]:
    if not wallet_ids:
        return []
    await session.flush()
    connection = await session.connection()
    rows = await connection.execute(statement, {"ids": list(wallet_ids), "now": now})
    started = [int(r[0]) for r in rows]
    await enqueue_starts(session, started, now)
    return started


async def start(session: AsyncSession, recharge_id: int, settings: Settings, now: datetime) -> None:
    """The ``recharge.start`` job: guard, then invoice and charge (once per recharge)."""
    found = await session.get(Recharge, recharge_id)
    if found is None:
        return
    wallet = await wallets.lock_wallet(session, found.wallet_id)
    recharge = await repository.lock(session, recharge_id)
    if wallet is None or recharge is None or recharge.rule_id is None:
        return
    if recharge.status is not RechargeStatus.PENDING or recharge.invoice_id is not None:
        return
    rule = await repository.lock_rule(session, recharge.rule_id)
    assert rule is not None and rule.id is not None
    refusal = await _refusal(session, rule, recharge, wallet, now)
    if refusal is not None:
        await _close(session, recharge, RechargeStatus.SKIPPED, refusal, now)
        return
    try:
        async with session.begin_nested():
            await purchases.bill(
                session, recharge, wallet, None, rule.payment_method_id, settings, now
            )
    except DomainError as error:
        await session.refresh(recharge)
        await _close(session, recharge, RechargeStatus.FAILED, error.message, now)
        await rules.payment_failed(
            session, rule.id, error.message, settings.recharge_max_failures, now
        )


async def _refusal(
    session: AsyncSession, rule: RechargeRule, recharge: Recharge, wallet: Wallet, now: datetime
) -> str | None:
    """Why a guard stops this recharge (None: it may go ahead)."""
    if not rule.enabled:
        return "the auto-recharge rule is disabled"
    assert rule.id is not None
    if rule.trigger is RuleTrigger.THRESHOLD:
        needed = await _still_needed(session, rule, recharge, wallet, now)
        if needed is not None:
            return needed
    count, spent = await repository.month_to_date(session, rule.id, schedule.month_start(now))
    if rule.monthly_max_recharges is not None and count >= rule.monthly_max_recharges:
        return f"monthly cap of {rule.monthly_max_recharges} recharges reached"
    cost = purchases.total(purchases.lines(recharge, wallet, None), wallet.currency)
    if cost == 0:
        return "the purchase is worth less than the smallest unit of money"
    if cost > money.MINOR_LIMIT:
        limit = money.format_money(money.MINOR_LIMIT, wallet.currency)
        return f"the purchase costs more than {limit} {wallet.currency} (the limit)"
    cap = rule.monthly_max_amount_minor
    if cap is not None and spent + cost > cap:
        return (
            f"monthly cap of {money.format_money(cap, wallet.currency)} {wallet.currency} reached"
        )
    return None


async def _still_needed(
    session: AsyncSession, rule: RechargeRule, recharge: Recharge, wallet: Wallet, now: datetime
) -> str | None:
    """A recharge the balance triggered buys for the balance as it is now (``wallet``: locked), not
    as it was at the crossing: credits that landed since (a manual top-up crossing with it) may have
    made it unneeded, and a target rule buys ``target − balance`` of now. Why it stops (None: it
    goes ahead)."""
    assert wallet.id is not None and rule.threshold is not None
    due = await wallets.due(session, [wallet.id], now)
    balance = wallet.balance - due.get(wallet.id, Decimal(0))  # expired credits excluded
    if balance > rule.threshold:
        return "the balance is above the threshold again"  # the API's word
    if rule.method is RuleMethod.TARGET:
        recharge.credits = rule.credits - balance  # > 0: the target is above the trigger balance
    return None


async def _close(
    session: AsyncSession, recharge: Recharge, status: RechargeStatus, reason: str, now: datetime
) -> None:
    recharge.status = status
    recharge.failure_reason = reason[:500]
    recharge.settled_at = now
    recharge.updated_at = now
    session.add(recharge)
    await session.flush()
