"""Wallet jobs."""

from __future__ import annotations

from app import wallets
from app.runtime import Runtime
from workers.registry import ActorSpec


async def expire_due(runtime: Runtime) -> None:
    """Expire every grant due now (idempotent: an expired grant has nothing left)."""
    async with runtime.db.transaction() as session:
        await wallets.expire_due(session, runtime.clock.now())


ACTORS = [ActorSpec("wallets.expire_due", expire_due)]
