"""Turning a wallet's auto-recharge rule on and off without changing it: what an operator can
always do, and a customer (portal, customer token) only where the operator allowed it (the
wallet's top-up option ``customer_switches_auto_recharge``). Turned on, the rule starts afresh
(failure count reset) and recharges at once if the balance already calls for it."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app import wallets
from app.recharge import auto, repository, schedule
from app.recharge.errors import Conflict, NotFound
from app.recharge.models import RechargeRule

NOT_ALLOWED = (
    "auto-recharge is set by your account manager for this wallet; ask them to turn it on or off"
)


async def switch(
    session: AsyncSession, wallet_id: int, enabled: bool, by_customer: bool, now: datetime
) -> RechargeRule:
    """Turn the wallet's rule on or off; a customer needs the operator's permission."""
    if await wallets.lock_wallet(session, wallet_id) is None:  # the lock order: wallet first
        raise NotFound("walletId", f"no wallet with id {wallet_id}")
    if by_customer:
        options = await repository.options(session, wallet_id)
        if options is None or not options.customer_switches_auto_recharge:
            raise Conflict("walletId", NOT_ALLOWED, code="not_allowed")
    rule = await repository.rule_of(session, wallet_id, lock=True)
    if rule is None:
        raise NotFound("walletId", "this wallet has no auto-recharge rule to turn on or off")
    if enabled:
        _turn_on(rule, now)
    else:
        rule.enabled = False
        rule.disabled_reason = "turned off by the customer" if by_customer else "turned off"
    rule.updated_at = now
    session.add(rule)
    await session.flush()
    if enabled:
        await auto.evaluate(session, [wallet_id], now)
    return rule


def _turn_on(rule: RechargeRule, now: datetime) -> None:
    rule.enabled = True
    rule.consecutive_failures = 0
    rule.disabled_reason = None
    if rule.interval is not None and rule.anchor_at is not None:
        rule.next_run_at = schedule.next_after(rule.anchor_at, rule.interval, now)
