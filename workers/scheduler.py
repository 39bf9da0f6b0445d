"""Periodic work on the clock: each due job is written to the outbox (one path for all jobs).

``tick(now)`` is what the tests call after moving their clock; ``run`` calls it every second.
Run exactly one scheduler (``tally scheduler``, or inside ``tally serve`` when embedded).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from app import outbox
from app.runtime import Runtime

log = logging.getLogger("tally.scheduler")


@dataclass
class Periodic:
    actor: str
    every: timedelta
    next_at: datetime | None = None


def default_jobs() -> list[Periodic]:
    return [
        Periodic("wallets.expire_due", timedelta(minutes=1)),
        Periodic("wallets.roll_over", timedelta(minutes=1)),
        Periodic("alerts.send_expiry_notices", timedelta(hours=1)),
        Periodic("alerts.check_runways", timedelta(hours=1)),
        Periodic("recharge.run_intervals", timedelta(minutes=1)),
        Periodic("recharge.sweep", timedelta(minutes=1)),
        Periodic("payments.sweep", timedelta(minutes=5)),
        Periodic("billing.close_periods", timedelta(minutes=1)),
        Periodic("billing.suspend_overdue", timedelta(minutes=1)),
    ]


class Scheduler:
    def __init__(self, runtime: Runtime, jobs: list[Periodic] | None = None) -> None:
        self.runtime = runtime
        self.jobs = jobs if jobs is not None else default_jobs()

    async def tick(self, now: datetime | None = None) -> list[str]:
        """Enqueue every job that is due at ``now``; returns their actor names."""
        moment = now or self.runtime.clock.now()
        due = [job for job in self.jobs if job.next_at is None or job.next_at <= moment]
        if not due:
            return []
        async with self.runtime.db.transaction() as session:
            for job in due:
                await outbox.enqueue(session, job.actor, {}, moment)
        for job in due:
            job.next_at = moment + job.every
        return [job.actor for job in due]

    async def run(self, interval: float = 1.0) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("scheduler tick failed")
            await asyncio.sleep(interval)
