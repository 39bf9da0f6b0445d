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

from app.wallets import due_sql

UTC_ISO = """'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"'"""

SOON = 5

MESSAGES = f"""
SELECT w.id AS wallet_id, jsonb_build_object(
  'type', 'wallet.updated', 'coalesce', 'wallet.updated',
  'wallet_id', w.id, 'customer_id', w.customer_id, 'currency', w.currency,
  'balance', (w.balance - {due_sql("w.id", ":now")})::text, 'debt', w.debt::text,
  'reference_balance', w.reference_balance::text,
  'entry', CASE WHEN e.id IS NOT NULL THEN jsonb_build_object(
    'id', e.id, 'kind', e.kind, 'credits', e.credits::text,
    'balance_after', e.balance_after::text, 'description', e.description,
    'metric_code', e.metric_code, 'units', e.units::text, 'unit_label', e.unit_label,
    'created_at', to_char(e.created_at AT TIME ZONE 'UTC', {UTC_ISO})) END,
  'expiring', (
    SELECT jsonb_agg(jsonb_build_array(
             to_char(x.at AT TIME ZONE 'UTC', {UTC_ISO}), x.credits::text) ORDER BY x.at)
    FROM (SELECT g.expires_at AS at, sum(g.remaining) AS credits FROM grants g
          WHERE g.wallet_id = w.id AND g.remaining > 0 AND g.expires_at > :now
          GROUP BY g.expires_at ORDER BY g.expires_at LIMIT {SOON}) x),
  'committed_at', CAST(:committed_at AS text)) AS message
FROM wallets w
LEFT JOIN LATERAL (
  SELECT * FROM ledger_entries le WHERE le.wallet_id = w.id ORDER BY le.id DESC LIMIT 1
) e ON true
WHERE w.id = ANY(:ids)
"""

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
