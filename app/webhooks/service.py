"""Webhook use cases: emit an event (fan out one delivery per endpoint), deliver, replay.

``emit`` records the event and a ``pending`` delivery for every active endpoint that listens
to its type, each with a ``webhooks.deliver`` job in the outbox, all in the caller's
transaction. An emitter that may repeat itself passes a ``key``: an event with that key is
emitted once.

``deliver`` makes one signed attempt. A failure schedules the next attempt through the outbox
with a delay (``RETRY_DELAYS``: exponential, 1 minute up to 10 hours, 8 attempts over about 26
hours); the last failure marks the delivery ``failed``, and so does the first when the
endpoint's host is, or resolves to, a non-public address (``app.webhooks.addresses``).
Retries go through the outbox rather than Dramatiq's retries so the schedule is a committed
row (it survives restarts and the in-process broker), runs on Tally's clock and is visible as
``next_attempt_at``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox
from app.errors import Conflict, ValidationFailed, check_length
from app.webhooks import delivery, repository
from app.webhooks.models import (
    EVENT_TYPES,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)

DELIVER = "webhooks.deliver"
TEST_EVENT = "webhook.test"  # sent by send_test only; no endpoint subscribes to it
# Waits after attempts 1..7 (x4 each time, capped at 10 h); attempt 8 is the last.
RETRY_DELAYS = tuple(timedelta(minutes=min(4**n, 600)) for n in range(7))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


async def emit(
    session: AsyncSession,
    type: str,
    data: dict[str, Any],
    now: datetime,
    *,
    key: str | None = None,
) -> WebhookEvent | None:
    """Announce an event; ``None`` when ``key`` was emitted before (nothing is written)."""
    if type not in EVENT_TYPES:
        raise ValidationFailed("type", f"unknown event type '{type}'", code="unknown_event_type")
    if key is not None:
        check_length(key, "key", 300)
        if await repository.event_by_key(session, key) is not None:
            return None
    event = WebhookEvent(
        public_id=f"evt_{uuid.uuid4().hex}", key=key, type=type, data=data, created_at=now
    )
    try:  # two jobs with one key at the same moment: the second emits nothing
        async with session.begin_nested():
            session.add(event)
            await session.flush()
    except IntegrityError:
        if key is None:
            raise
        return None
    for endpoint in await repository.subscribed(session, type):
        await _schedule(session, endpoint, event, now)
    return event


async def _schedule(
    session: AsyncSession,
    endpoint: WebhookEndpoint,
    event: WebhookEvent,
    now: datetime,
    replay_of: int | None = None,
) -> WebhookDelivery:
    assert endpoint.id is not None and event.id is not None
    row = WebhookDelivery(
        endpoint_id=endpoint.id,
        event_id=event.id,
        status=DeliveryStatus.PENDING,
        next_attempt_at=now,
        replay_of=replay_of,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    await outbox.enqueue(session, DELIVER, {"delivery_id": row.id}, now)
    return row


async def deliver(
    session: AsyncSession,
    delivery_id: int,
    now: datetime,
    *,
    timeout_seconds: float,
    allow_private: bool = False,
) -> WebhookDelivery | None:
    """One attempt at a pending delivery (idempotent: anything else is left alone). A refused
    destination (a non-public address) fails the delivery at once: no retry."""
    row = await repository.claim(session, delivery_id)
    if row is None or row.status is not DeliveryStatus.PENDING:
        return None
    if row.next_attempt_at is not None and row.next_attempt_at > now:
        return None  # a duplicate of a job that is not due yet
    endpoint = await session.get(WebhookEndpoint, row.endpoint_id)
    event = await session.get(WebhookEvent, row.event_id)
    assert endpoint is not None and event is not None
    if not endpoint.active:
        row.status, row.next_attempt_at = DeliveryStatus.FAILED, None
        row.last_error = "the endpoint was disabled before the delivery"
        return await _save(session, row)
    outcome = await delivery.post(endpoint, event, now, timeout_seconds, allow_private)
    row.attempts += 1
    row.last_attempt_at, row.response_code = now, outcome.status_code
    if outcome.ok:
        row.status, row.next_attempt_at = DeliveryStatus.SUCCEEDED, None
        return await _save(session, row)
    row.last_error = outcome.error
    if outcome.final or row.attempts >= MAX_ATTEMPTS:
        row.status, row.next_attempt_at = DeliveryStatus.FAILED, None
        return await _save(session, row)
    wait = RETRY_DELAYS[row.attempts - 1]
    row.next_attempt_at = now + wait
    await outbox.enqueue(session, DELIVER, {"delivery_id": row.id}, now, delay=wait)
    return await _save(session, row)


async def replay(session: AsyncSession, delivery_id: int, now: datetime) -> WebhookDelivery:
    """Send a finished delivery's event to its endpoint again, as a new delivery."""
    original = await repository.delivery(session, delivery_id)
    if original.status is DeliveryStatus.PENDING:
        raise Conflict(
            "id",
            "the delivery is still being retried; replay it once it has finished",
            code="delivery_pending",
        )
    endpoint = await repository.endpoint(session, original.endpoint_id)
    if not endpoint.active:
        raise Conflict("id", "the endpoint is disabled; enable it first", code="endpoint_disabled")
    event = await session.get(WebhookEvent, original.event_id)
    assert event is not None
    return await _schedule(session, endpoint, event, now, replay_of=original.id)


async def send_test(session: AsyncSession, endpoint_id: int, now: datetime) -> WebhookDelivery:
    """A ``webhook.test`` event to one endpoint (whatever event types it listens to), so an
    operator sees a delivery reach it — or why it did not — before real events do."""
    endpoint = await repository.endpoint(session, endpoint_id)
    if not endpoint.active:
        raise Conflict("id", "the endpoint is disabled; enable it first", code="endpoint_disabled")
    event = WebhookEvent(
        public_id=f"evt_{uuid.uuid4().hex}",
        type=TEST_EVENT,
        data={"message": "A test delivery from Tally: nothing happened.", "test": True},
        created_at=now,
    )
    session.add(event)
    await session.flush()
    return await _schedule(session, endpoint, event, now)


async def _save(session: AsyncSession, row: WebhookDelivery) -> WebhookDelivery:
    session.add(row)
    await session.flush()
    return row
