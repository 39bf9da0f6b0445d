"""Spend alerts' part of the balance reactions: the evaluator's statement (``CROSSED`` and
``FIRINGS``) as common table expressions of the one statement sent before commit; what fired
is announced (live messages, one ``alerts.notify`` job)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts.evaluate import CROSSED, FIRINGS, Firing, announce
from app.db.statements import WalletReaction


async def _fired(
    session: AsyncSession, wallet_ids: Sequence[int], rows: list[Any], now: datetime
) -> None:
    firings = [
        Firing(
            int(r["id"]),
            int(r["wallet_id"]),
            r["kind"],
            Decimal(r["value"]),
            Decimal(r["level"]),
            Decimal(r["balance"]),
            Decimal(r["reference_balance"]),
            now,
        )
        for r in rows
    ]
    await announce(session, sorted(firings, key=lambda f: f.id), now)


WALLET_REACTION = WalletReaction(
    "alert",
    CROSSED + ",\nalert_firings AS (" + FIRINGS + ")",
    "SELECT 'alert'::text, jsonb_build_object('id', id, 'wallet_id', wallet_id, 'kind', kind,"
    " 'value', value::text, 'level', level::text, 'balance', balance::text,"
    " 'reference_balance', reference_balance::text) FROM alert_firings",
    _fired,
)
