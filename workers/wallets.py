"""Wallet jobs."""

from __future__ import annotations

from app import wallets
from app.runtime import Runtime
from workers.registry import ActorSpec


async def expire_due(runtime: Runtime) -> None:
    """Expire every grant due now (idempotent: an expired grant has nothing left)."""
    async with runtime.db.transaction() as session:
        await wallets.expire_due(session, runtime.clock.now())


async def roll_over(runtime: Runtime) -> None:
    """Process every period boundary that has passed, a batch of wallets per transaction
    (idempotent: a processed boundary has moved on)."""
    now = runtime.clock.now()
    while True:
        async with runtime.db.transaction() as session:
            if not await wallets.roll_due(session, now):
                return


ACTORS = [
    ActorSpec("wallets.expire_due", expire_due),
    ActorSpec("wallets.roll_over", roll_over, one_transaction=False),
]
