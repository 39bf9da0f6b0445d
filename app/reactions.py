"""What happens when balances change: run once per transaction, just before it commits.

The ledger notes every wallet whose balance a transaction changed (``ledger.touch``); this
hook hands them, in id order, to every domain that reacts to balances — live wallet updates,
spend alerts, auto-recharge, ``wallet.updated`` webhooks. Because it runs in the same
transaction as the change, a crossing is acted on exactly when — and only if — the change
commits, whatever path changed the balance (API, events, jobs).

Each domain contributes a ``Reaction``: common table expressions over the changed wallets and
a ``SELECT`` of what it found, as ``(source, data jsonb)`` rows. They are sent as ONE statement
(the domains' expressions read and write disjoint tables, and all see the transaction's own
changes), so a transaction that changed balances pays one round trip for all of them; each
domain then handles its own rows — in the common case there are none, nothing more is sent.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import Clock
from app.db.engine import BeforeCommit, driver
from app.wallets.ledger import take_touched

Evaluator = Callable[[AsyncSession, Sequence[int], datetime], Awaitable[None]]
Handler = Callable[[AsyncSession, Sequence[int], list[Any], datetime], Awaitable[None]]

# In the domains' SQL: :ids (the changed wallets), :now (the transaction's time) and
# :committed_at (the same as ISO text). Here: positional parameters for the driver.
PARAMETERS = {"ids": "$1::bigint[]", "now": "$2::timestamptz", "committed_at": "$3::text"}
_NAMED = re.compile(r"(?<!:):(ids|now|committed_at)\b")


def positional(sql: str) -> str:
    return _NAMED.sub(lambda m: PARAMETERS[m.group(1)], sql)


@dataclass(frozen=True)
class Reaction:
    """One domain's part: ``ctes`` ("name AS (…), …"; names unique across domains) and
    ``rows`` (a SELECT of ``source`` and one jsonb value per row), in the named-parameter SQL
    above; ``handle`` gets the ``data`` of the rows whose source is ``source``."""

    source: str
    ctes: str
    rows: str
    handle: Handler | None = None


def reactions() -> list[Reaction]:
    from app.alerts.evaluate import REACTION as spend_alerts
    from app.live.wallet_updates import REACTION as live_updates
    from app.recharge.auto import REACTION as auto_recharge
    from app.webhooks.wallet_updates import REACTION as wallet_webhooks

    return [live_updates, spend_alerts, auto_recharge, wallet_webhooks]


def statement(parts: Sequence[Reaction]) -> str:
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
