"""No auto-recharge rule is ever wedged: a pending auto-recharge that nothing will move on is
failed, which frees the wallet's one-in-flight slot (``uq_recharges_in_flight``).

A recharge a rule started is invoiced by its ``recharge.start`` job; the job system hands that
job on again until it runs (``app.outbox.relay``), so only a start job that died (its runs used
up) leaves a recharge pending with no invoice. ``sweep`` (on the scheduler, every minute) fails
such a recharge once it is older than ``TALLY_RECHARGE_TIMEOUT_SECONDS`` and no start job for
it is still open; the next balance change at or below the trigger balance starts a new one. A
billed recharge waits on its payment, which the payment sweep asks about
(``app.payments.service.sweep``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import sql
from app.outbox.models import OPEN_SQL

REASON = "not started: its start job gave up (see the dead jobs)"

# Only the recharge rows are locked (SKIP LOCKED: a start job holding one is left alone); the
# start job locks the wallet, then the recharge, and sees the status it finds.
FAIL_UNSTARTED = text(sql.load("app.recharge", "fail_unstarted", open=OPEN_SQL))


async def sweep(
    session: AsyncSession, now: datetime, older_than: timedelta, limit: int = 500
) -> list[int]:
    """Fail the stuck auto-recharges; their ids."""
    connection = await session.connection()
    found = await connection.execute(
        FAIL_UNSTARTED,
        {"reason": REASON, "now": now, "cutoff": now - older_than, "limit": limit},
    )
    return sorted(int(row[0]) for row in found)
