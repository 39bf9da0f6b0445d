"""The runway alert's sweep and each wallet's runway as the API reads it
(``app.alerts.runway`` holds the rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, outbox
from app.alerts.models import RunwayState
from app.alerts.runway import Runway, describe, project
from app.config import Settings
from app.db import sql
from app.money import plain_credits
from app.wallets import due_sql

RUNWAYS = text(sql.load("app.alerts", "runways", due=due_sql("w.id", ":now")))
BATCH = 2000


@dataclass(frozen=True)
class WalletRunway:
    runway: Runway
    threshold_days: int
    low: bool  # the alert has fired and not re-armed


async def _rows(
    session: AsyncSession, settings: Settings, now: datetime, after: int, only: int | None
) -> list[Any]:
    params = {
        "now": now,
        "after": after,
        "only": only,
        "limit": BATCH,
        "threshold": settings.runway_threshold_days,
        "window": settings.runway_window_days,
    }
    return list((await (await session.connection()).execute(RUNWAYS, params)).all())


def _runway(row: Any, now: datetime) -> Runway:
    return project(Decimal(row.balance), Decimal(row.consumed), int(row.window_days), now)


async def wallet_runway(
    session: AsyncSession, settings: Settings, wallet_id: int, now: datetime
) -> WalletRunway:
    rows = await _rows(session, settings, now, 0, wallet_id)
    row = rows[0]
    return WalletRunway(_runway(row, now), int(row.threshold_days), bool(row.fired))


async def check(session: AsyncSession, settings: Settings, now: datetime, after: int) -> int | None:
    """Fire or re-arm the runway alerts of the batch of wallets after ``after``; returns the
    last wallet id of the batch (None: no more wallets)."""
    rows = await _rows(session, settings, now, after, None)
    for row in rows:
        runway = _runway(row, now)
        if runway.balance <= 0:
            continue
        low = runway.below(int(row.threshold_days))
        if low and not row.fired:
            await _fire(session, row, runway, now)
        elif not low and row.fired:
            state = await session.get(RunwayState, int(row.wallet_id))
            if state is not None:
                await session.delete(state)
    await session.flush()
    return int(rows[-1].wallet_id) if rows else None


async def _fire(session: AsyncSession, row: Any, runway: Runway, now: datetime) -> None:
    assert runway.days is not None and runway.runs_out_at is not None
    session.add(
        RunwayState(
            wallet_id=int(row.wallet_id),
            days=runway.days,
            daily_burn=runway.daily_burn,
            runs_out_at=runway.runs_out_at,
            fired_at=now,
        )
    )
    data: dict[str, Any] = {
        "wallet_id": int(row.wallet_id),
        "currency": row.currency,
        "balance": plain_credits(runway.balance),
        "daily_burn": plain_credits(runway.daily_burn),
        "window_days": runway.window_days,
        "runway_days": plain_credits(runway.days),
        "threshold_days": int(row.threshold_days),
        "runs_out_at": runway.runs_out_at.isoformat(),
        "message": "at this pace you run out in "
        + describe(runway).removesuffix(" at the current pace"),
    }
    await announcements.emit(session, "wallet.runway_low", data, now)
    await announcements.notify(session, "runway_low", "customer", int(row.customer_id), data, now)
    await outbox.publish_many(
        session,
        [(f"wallet:{int(row.wallet_id)}", {"type": "wallet.runway_low", "notice": data})],
        now,
    )
