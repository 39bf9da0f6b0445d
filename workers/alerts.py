"""Spend-alert jobs."""

from __future__ import annotations

from app import alerts
from app.runtime import Runtime
from workers.registry import ActorSpec


async def notify(runtime: Runtime, firing_ids: list[int]) -> None:
    """Email and call webhooks about firings (idempotent: announced firings are skipped)."""
    async with runtime.db.transaction() as session:
        await alerts.notify(session, runtime.settings, firing_ids, runtime.clock.now())


ACTORS = [ActorSpec("alerts.notify", notify)]
