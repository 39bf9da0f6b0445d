"""Spend-alert jobs."""

from __future__ import annotations

from app import alerts
from app.runtime import Runtime
from workers.registry import ActorSpec


async def notify(runtime: Runtime, firing_ids: list[int]) -> None:
    """Email and call webhooks about firings (idempotent: announced firings are skipped)."""
    async with runtime.db.transaction() as session:
        await alerts.notify(session, runtime.settings, firing_ids, runtime.clock.now())


async def check_runways(runtime: Runtime) -> None:
    """Fire or re-arm runway alerts, a batch of wallets per transaction (idempotent: a fired
    alert has its state row until it re-arms)."""
    now = runtime.clock.now()
    after: int | None = 0
    while after is not None:
        async with runtime.db.transaction() as session:
            after = await alerts.runway_alerts.check(session, runtime.settings, now, after)


async def send_expiry_notices(runtime: Runtime) -> None:
    """Expiry notices due now, a batch of grants per transaction (idempotent: one row per
    grant and lead time)."""
    now = runtime.clock.now()
    after: int | None = 0
    while after is not None:
        async with runtime.db.transaction() as session:
            after = await alerts.expiry_notices.send(session, runtime.settings, now, after)


ACTORS = [
    ActorSpec("alerts.notify", notify),
    ActorSpec("alerts.check_runways", check_runways, one_transaction=False),
    ActorSpec("alerts.send_expiry_notices", send_expiry_notices, one_transaction=False),
]
