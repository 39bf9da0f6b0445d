"""What happens when balances change: run once per transaction, just before it commits.

The ledger notes every wallet whose balance a transaction changed (``ledger.touch``); this
hook hands them, in id order, to each evaluator (spend alerts, auto-recharge), which compare
the new balances with their thresholds in set-based SQL and write outbox rows for the jobs.
Because it runs in the same transaction as the change, a crossing is acted on exactly when
— and only if — the change commits, whatever path changed the balance (API, events, jobs).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import Clock
from app.db.engine import BeforeCommit
from app.wallets.ledger import take_touched

Evaluator = Callable[[AsyncSession, Sequence[int], datetime], Awaitable[None]]


def evaluators() -> list[Evaluator]:
    from app.alerts.evaluate import evaluate as spend_alerts
    from app.live.wallet_updates import publish_wallet_updates
    from app.recharge.auto import evaluate as auto_recharge
    from app.webhooks.wallet_updates import evaluate as wallet_webhooks

    return [publish_wallet_updates, spend_alerts, auto_recharge, wallet_webhooks]


def balance_reactions(clock: Clock, chosen: Sequence[Evaluator] | None = None) -> BeforeCommit:
    steps = list(chosen) if chosen is not None else evaluators()

    async def react(session: AsyncSession) -> None:
        wallet_ids = take_touched(session)
        if not wallet_ids:
            return
        now = clock.now()
        for evaluate in steps:
            await evaluate(session, wallet_ids, now)

    return react
