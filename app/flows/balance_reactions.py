"""What happens when balances change: run once per transaction, just before it commits.

The ledger notes every wallet whose balance a transaction changed (``ledger.touch``); this
hook hands them, in id order, to every domain that reacts to balances — live wallet updates,
spend alerts, auto-recharge, ``wallet.updated`` webhooks. Because it runs in the same
transaction as the change, a crossing is acted on exactly when — and only if — the change
commits, whatever path changed the balance (API, events, jobs).

Each domain contributes a wallet reaction (``app.<domain>.wallet_reaction``, a
``WalletReaction``): common table expressions over the changed wallets and a ``SELECT`` of
what it found, as ``(source, data jsonb)`` rows. This flow takes them from the domains (no
domain imports it). They are sent as ONE statement (the domains' expressions read and write
disjoint tables, and all see the transaction's own changes), so a transaction that changed
balances pays one round trip for all of them; each domain then handles its own rows — in the
common case there are none, nothing more is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts import WALLET_REACTION as spend_alerts
from app.clock import Clock
from app.db.engine import BeforeCommit, driver
from app.db.statements import WalletReaction, positional
from app.live import WALLET_REACTION as live_updates
from app.recharge import WALLET_REACTION as auto_recharge
from app.wallets import take_touched
from app.webhooks import WALLET_REACTION as wallet_webhooks

Evaluator = Callable[[AsyncSession, Sequence[int], datetime], Awaitable[None]]


def reactions() -> list[WalletReaction]:
    """Every domain's wallet reaction, in the order their rows are handled."""
    return [live_updates, spend_alerts, auto_recharge, wallet_webhooks]


def statement(parts: Sequence[WalletReaction]) -> str:
    ctes = ",\n".join(part.ctes for part in parts if part.ctes)
    rows = "\nUNION ALL\n".join(f"({part.rows})" for part in parts)
    return positional(f"WITH {ctes}\n{rows}" if ctes else rows)


def balance_reactions(clock: Clock, chosen: Sequence[Evaluator] | None = None) -> BeforeCommit:
    """The before-commit hook. ``chosen`` replaces the domains' reactions by evaluators run one
    after the other (tests use it to watch what a transaction hands over)."""
    parts = reactions()
    sql = statement(parts)

    async def react(session: AsyncSession) -> None:
        wallet_ids = take_touched(session)
        if not wallet_ids:
            return
        now = clock.now()
        if chosen is not None:
            for evaluate in chosen:
                await evaluate(session, wallet_ids, now)
            return
        await session.flush()
        found: dict[str, list[Any]] = {part.source: [] for part in parts}
        rows = await (await driver(session)).fetch(sql, list(wallet_ids), now, now.isoformat())
        for source, data in rows:
            found[source].append(data)
        for part in parts:
            if part.handle is not None and found[part.source]:
                await part.handle(session, wallet_ids, found[part.source], now)

    return react
