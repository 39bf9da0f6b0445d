"""Auto-recharge jobs: start one recharge (invoice and charge it), and run the interval rules."""

from __future__ import annotations

from app.recharge import auto
from app.runtime import Runtime
from workers.registry import ActorSpec


async def start(runtime: Runtime, recharge_id: int) -> None:
    """Invoice and charge a recharge a rule started (once: a billed recharge is left alone)."""
    async with runtime.db.transaction() as session:
        await auto.start(session, recharge_id, runtime.settings, runtime.clock.now())


async def run_intervals(runtime: Runtime) -> None:
    """Start the interval recharges that are due (a rule's next run moves on as it starts)."""
    async with runtime.db.transaction() as session:
        await auto.run_intervals(session, runtime.clock.now())


ACTORS = [
    ActorSpec("recharge.start", start),
    ActorSpec("recharge.run_intervals", run_intervals),
]
