"""Auto-recharge jobs: start one recharge (invoice and charge it), run the interval rules, and
fail the recharges whose start job gave up (so no rule is wedged)."""

from __future__ import annotations

from datetime import timedelta

from app import recharge
from app.runtime import Runtime
from workers.registry import ActorSpec


async def start(runtime: Runtime, recharge_id: int) -> None:
    """Invoice and charge a recharge a rule started (once: a billed recharge is left alone)."""
    async with runtime.db.transaction() as session:
        await recharge.start(session, recharge_id, runtime.settings, runtime.clock.now())


async def run_intervals(runtime: Runtime) -> None:
    """Start the interval recharges that are due (a rule's next run moves on as it starts)."""
    async with runtime.db.transaction() as session:
        await recharge.run_intervals(session, runtime.clock.now())


async def sweep(runtime: Runtime) -> None:
    """Fail the pending auto-recharges nothing will move on (periodic)."""
    timeout = timedelta(seconds=runtime.settings.recharge_timeout_seconds)
    async with runtime.db.transaction() as session:
        await recharge.fail_stale(session, runtime.clock.now(), timeout)


ACTORS = [
    ActorSpec("recharge.start", start),
    ActorSpec("recharge.run_intervals", run_intervals),
    ActorSpec("recharge.sweep", sweep),
]
