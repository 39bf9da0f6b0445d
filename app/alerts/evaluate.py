"""The spend-alert evaluator: one set-based statement over the wallets a transaction changed.

It runs just before the transaction commits (its wallet reaction,
``app.alerts.wallet_reaction``), under the row locks the balance change already holds. In one
round trip it works out which levels are crossed now, re-arms the ones that are not (deletes
their ``alert_states`` row), marks the newly crossed ones fired (inserts it) and records a
firing for each. Only when something fired does
it write to the outbox: one row of live messages (``alert.triggered`` on each wallet's
channel) and one ``alerts.notify`` job, which emails and calls webhooks. So the common case
costs one statement, and a batch that crosses levels on hundreds of wallets a few.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox
from app.alerts.levels import DEFAULT_PERCENTS
from app.db import sql
from app.money import plain_credits

NOTIFY = "alerts.notify"

_DEFAULTS = ", ".join(f"({p})" for p in DEFAULT_PERCENTS)

CROSSED = sql.load("app.alerts", "crossed", defaults=_DEFAULTS)

FIRINGS = sql.load("app.alerts", "alert_firings")

FIRE = text("WITH " + CROSSED + FIRINGS)

# After levels change: bring the states in line without firing (a level set below the current
# balance counts as already crossed; it fires on the next crossing, not at once).
SYNC = text("WITH " + CROSSED + "SELECT count(*) FROM fired")


@dataclass(frozen=True)
class Firing:
    id: int
    wallet_id: int
    kind: str
    value: Decimal
    level: Decimal
    balance: Decimal
    reference_balance: Decimal
    fired_at: datetime

    def live_message(self) -> dict[str, Any]:
        return {
            "type": "alert.triggered",
            "alert": {
                "id": self.id,
                "wallet_id": self.wallet_id,
                "kind": self.kind,
                "threshold": plain_credits(self.value),
                "level": plain_credits(self.level),
                "balance": plain_credits(self.balance),
                "reference_balance": plain_credits(self.reference_balance),
                "fired_at": self.fired_at.isoformat(),
            },
        }


async def evaluate(session: AsyncSession, wallet_ids: Sequence[int], now: datetime) -> None:
    """Fire what the wallets' balances cross (the balance reactions do this in their shared
    statement, with ``app.alerts.wallet_reaction``)."""
    await announce(session, await fire(session, wallet_ids, now), now)


async def announce(session: AsyncSession, firings: list[Firing], now: datetime) -> None:
    """Live messages and one ``alerts.notify`` job for what fired (nothing when nothing did)."""
    if not firings:
        return
    await outbox.publish_many(
        session, [(f"wallet:{f.wallet_id}", f.live_message()) for f in firings], now
    )
    await outbox.enqueue(session, NOTIFY, {"firing_ids": [f.id for f in firings]}, now)


async def fire(session: AsyncSession, wallet_ids: Sequence[int], now: datetime) -> list[Firing]:
    await session.flush()
    connection = await session.connection()
    rows = await connection.execute(FIRE, {"ids": list(wallet_ids), "now": now})
    return [Firing(*row) for row in rows]


async def sync(session: AsyncSession, wallet_id: int, now: datetime) -> None:
    """Re-arm or silently disarm a wallet's levels after they changed."""
    await session.flush()
    connection = await session.connection()
    await connection.execute(SYNC, {"ids": [wallet_id], "now": now})
