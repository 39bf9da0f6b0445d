"""Expiry notices: "500 credits expire in 7 days", once per grant and lead time.

Lead times: the wallet's (``notice_settings.expiry_lead_days``) or the global setting
(``expiry_notice_days``, default 30, 7 and 1 days). The scheduler's sweep
(``alerts.send_expiry_notices``) finds grants with credits left that expire within a lead time
not yet noticed. When several lead times apply at once (a grant made 5 days before it
expires), one notice goes, for the shortest, and the longer ones are recorded as passed.

Not for credits that will be used first: at the wallet's burn rate (``app.alerts.runway``:
consumption over the runway window), the credits consumed until the grant expires are drawn
in burn order — the credits of grants ahead of it (priority, earlier expiry, free before paid,
older) first, then this grant. If that uses the grant up, no notice (and nothing is recorded,
so a later lead time still notices it if the pace slows). Counting every grant ahead in full,
even one that expires before it is used, errs toward sending. The notice names the credits
left on the grant now and, in the webhook, the credits projected to be left at expiry.
"""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import announcements, outbox
from app.alerts.runway import project
from app.config import Settings
from app.db import sql
from app.money import plain_credits

EXPIRING = text(sql.load("app.alerts", "expiring_grants"))
RECORD = text(
    "INSERT INTO expiry_notices (wallet_id, grant_id, lead_days, credits, expires_at, sent_at)"
    " SELECT :w, :g, d, :c, :e, :now FROM unnest(CAST(:leads AS integer[])) d"
    " ON CONFLICT (grant_id, lead_days) DO NOTHING RETURNING lead_days"
)
BATCH = 2000


def unused_at_expiry(row: Any, now: datetime) -> Decimal:
    """The grant's credits still left when it expires, at the current pace (burn order)."""
    runway = project(Decimal(1), Decimal(row.consumed), int(row.window_days), now)
    seconds = Decimal((row.expires_at - now).total_seconds())
    used_before = runway.daily_burn * seconds / 86_400
    from_grant = min(max(used_before - Decimal(row.ahead), Decimal(0)), Decimal(row.remaining))
    return Decimal(row.remaining) - from_grant


async def send(session: AsyncSession, settings: Settings, now: datetime, after: int) -> int | None:
    """Notice the batch of expiring grants after ``after``; the last grant id (None: done)."""
    params = {
        "now": now,
        "after": after,
        "limit": BATCH,
        "leads": list(settings.expiry_notice_days),
        "window": settings.runway_window_days,
    }
    rows = list((await (await session.connection()).execute(EXPIRING, params)).all())
    for row in rows:
        unused = unused_at_expiry(row, now)
        if unused > 0:
            await _notice(session, row, unused, now)
    return int(rows[-1].grant_id) if rows else None


async def _notice(session: AsyncSession, row: Any, unused: Decimal, now: datetime) -> None:
    recorded = (
        await (await session.connection()).execute(
            RECORD,
            {
                "w": row.wallet_id,
                "g": row.grant_id,
                "c": row.remaining,
                "e": row.expires_at,
                "now": now,
                "leads": list(row.lead_days),
            },
        )
    ).all()
    if not recorded:  # another sweep got there first
        return
    days = max(1, math.ceil((row.expires_at - now).total_seconds() / 86_400))
    credits = plain_credits(Decimal(row.remaining))
    data: dict[str, Any] = {
        "wallet_id": int(row.wallet_id),
        "grant_id": int(row.grant_id),
        "currency": row.currency,
        "credits": credits,
        "kind": row.kind,
        "expires_at": row.expires_at.isoformat(),
        "days": days,
        "lead_days": int(row.lead_days[0]),
        "projected_unused": plain_credits(unused),
    }
    await announcements.emit(session, "credits.expiring", data, now)
    await announcements.notify(
        session, "credits_expiring", "customer", int(row.customer_id), data, now
    )
    await outbox.publish_many(
        session,
        [(f"wallet:{int(row.wallet_id)}", {"type": "credits.expiring", "notice": data})],
        now,
    )
