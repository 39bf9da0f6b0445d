"""``wallet.updated`` live messages: after any transaction that changed balances, one outbox
row carries each changed wallet's new state and the ledger entry that made it.

Subscribers may receive updates of one wallet out of order when several relays run; the
ledger entry id grows with every change of a wallet, so a client keeps the highest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox

LATEST = text(
    """
    SELECT w.id, w.customer_id, w.currency, w.balance, w.debt, w.reference_balance,
           e.id AS entry_id, e.kind, e.credits, e.balance_after, e.description,
           e.metric_code, e.units, e.unit_label, e.created_at
    FROM wallets w
    LEFT JOIN LATERAL (
        SELECT * FROM ledger_entries le WHERE le.wallet_id = w.id ORDER BY le.id DESC LIMIT 1
    ) e ON true
    WHERE w.id = ANY(:ids)
    ORDER BY w.id
    """
)


def channel(wallet_id: int) -> str:
    return f"wallet:{wallet_id}"


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def message_of(row: Any, committed_at: datetime) -> dict[str, Any]:
    entry = None
    if row.entry_id is not None:
        entry = {
            "id": row.entry_id,
            "kind": row.kind,
            "credits": _text(row.credits),
            "balance_after": _text(row.balance_after),
            "description": row.description,
            "metric_code": row.metric_code,
            "units": _text(row.units),
            "unit_label": row.unit_label,
            "created_at": row.created_at.isoformat(),
        }
    return {
        "type": "wallet.updated",
        "coalesce": "wallet.updated",
        "wallet_id": row.id,
        "customer_id": row.customer_id,
        "currency": row.currency,
        "balance": _text(row.balance),
        "debt": _text(row.debt),
        "reference_balance": _text(row.reference_balance),
        "entry": entry,
        "committed_at": committed_at.isoformat(),
    }


async def publish_wallet_updates(
    session: AsyncSession, wallet_ids: Sequence[int], now: datetime
) -> None:
    connection = await session.connection()
    rows = (await connection.execute(LATEST, {"ids": list(wallet_ids)})).all()
    if rows:
        await outbox.publish_many(session, [(channel(r.id), message_of(r, now)) for r in rows], now)
