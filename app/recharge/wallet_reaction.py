"""Auto-recharge's part of the balance reactions: start a recharge for every rule whose
wallet's balance is at or below its trigger balance (``app.recharge.auto``), and queue each
one's ``recharge.start`` job."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.statements import WalletReaction
from app.recharge.auto import AT_TRIGGER_BALANCE, STARTED, enqueue_starts


async def _started(
    session: AsyncSession, wallet_ids: Sequence[int], rows: list[Any], now: datetime
) -> None:
    await enqueue_starts(session, sorted(int(r["id"]) for r in rows), now)


WALLET_REACTION = WalletReaction(
    "recharge",
    STARTED.format(startable=AT_TRIGGER_BALANCE),
    "SELECT 'recharge'::text, jsonb_build_object('id', id) FROM started",
    _started,
)
