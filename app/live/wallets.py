"""``wallet.updated`` live messages: after any transaction that changed balances, one outbox
row carries each changed wallet's new state and the ledger entry that made it.

The message is built by PostgreSQL (``MESSAGES``), as part of the balance reactions' statement
(``app.live.wallet_reaction``): it reads the changed wallets, writes the outbox row and wakes the
relay, with no Python in between. A subscription's first state is read with the same ``MESSAGES``,
so both have one shape.

Subscribers may receive updates of one wallet out of order when several relays run; the
ledger entry id grows with every change of a wallet, so a client keeps the highest.

The balance is the wallet's at ``:now`` (expired credits excluded, ``app.wallets.balances``),
and ``expiring`` lists the next moments credits of the wallet expire (up to ``SOON``, each
``[at, credits]``), so a subscription can tell its client the balance after each of them at
that moment, without a write, a sweep or a read (``balance_at``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import sql
from app.wallets import due_sql

UTC_ISO = """'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'"""

SOON = 5

MESSAGES = sql.load(
    "app.live",
    "wallet_messages",
    balance_due=due_sql("w.id", ":now"),
    utc_iso=UTC_ISO,
    soon=SOON,
)

CURRENT = text(MESSAGES)


def channel(wallet_id: int) -> str:
    return f"wallet:{wallet_id}"


async def current(session: AsyncSession, wallet_id: int, now: datetime) -> dict[str, Any] | None:
    """The wallet's state as a ``wallet.updated`` message (``committed_at`` = ``now``)."""
    connection = await session.connection()
    parameters = {"ids": [wallet_id], "now": now, "committed_at": now.isoformat()}
    row = (await connection.execute(CURRENT, parameters)).first()
    if row is None:
        return None
    message: dict[str, Any] = row.message  # jsonb, decoded by the engine's codec
    return message


def expiring(message: dict[str, Any]) -> list[tuple[datetime, Decimal]]:
    """The message's next expiries: when, and how many credits."""
    return [
        (datetime.fromisoformat(at), Decimal(credits))
        for at, credits in message.get("expiring") or []
    ]


def next_expiry(message: dict[str, Any], after: datetime) -> datetime | None:
    """The first moment after ``after`` at which credits of the message's wallet expire
    (None: none that the message knows of)."""
    return next((at for at, _ in expiring(message) if at > after), None)


def balance_at(message: dict[str, Any], moment: datetime) -> Decimal:
    """The message's balance at ``moment``: without the credits expired by then."""
    lapsed = sum((credits for at, credits in expiring(message) if at <= moment), Decimal(0))
    return Decimal(message["balance"]) - lapsed
