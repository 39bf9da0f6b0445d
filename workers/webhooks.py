"""Webhook jobs.

``webhooks.emit`` — payload ``{"type", "data"}`` and optionally ``"key"`` (an event with a key
already emitted is not emitted again): records the event and fans out one delivery per
subscribed endpoint, each with its ``webhooks.deliver`` job.

``webhooks.deliver`` — one signed attempt; retries are rescheduled through the outbox by the
service, so this actor raises only on unexpected errors.

``webhooks.announce_wallets`` — ``wallet.updated`` events for wallets whose balance changed.
"""

from __future__ import annotations

from typing import Any

from app import webhooks
from app.errors import ValidationFailed
from app.runtime import Runtime
from workers.broker import DELIVERIES
from workers.registry import ActorSpec


async def emit(runtime: Runtime, type: str, data: dict[str, Any], key: str | None = None) -> None:
    async with runtime.db.transaction() as session:
        await webhooks.emit(session, type, data, runtime.clock.now(), key=key)


async def deliver(runtime: Runtime, delivery_id: int) -> None:
    settings = runtime.settings
    async with runtime.db.transaction() as session:
        await webhooks.deliver(
            session,
            delivery_id,
            runtime.clock.now(),
            timeout_seconds=settings.webhook_timeout_seconds,
            allow_private=settings.webhooks_allow_private,
        )


async def announce_wallets(runtime: Runtime, wallet_ids: list[int], key: str | None = None) -> None:
    async with runtime.db.transaction() as session:
        await webhooks.announce_wallets(session, wallet_ids, runtime.clock.now(), key=key)


ACTORS = [
    # An unknown event type is a bug in the emitter: retrying cannot fix it.
    ActorSpec("webhooks.emit", emit, throws=(ValidationFailed,)),
    # A POST to a customer's server: on the deliveries pool, so a slow one holds no payment.
    ActorSpec("webhooks.deliver", deliver, queue=DELIVERIES),
    ActorSpec("webhooks.announce_wallets", announce_wallets),
]
