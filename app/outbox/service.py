from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.outbox.models import OutboxKind, OutboxMessage

CHANNEL = "tally_outbox"
MANY = "*"


async def enqueue(
    session: AsyncSession,
    actor: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    delay: timedelta = timedelta(0),
) -> OutboxMessage:
    """Ask for a job (actor ``"<domain>.<verb>"`` with keyword arguments) once this commits."""
    return await _add(session, OutboxKind.JOB, actor, payload, now, now + delay)


async def publish(
    session: AsyncSession, channel: str, payload: dict[str, Any], now: datetime
) -> OutboxMessage:
    """Send a live message to the subscribers of ``channel`` once this commits."""
    return await _add(session, OutboxKind.LIVE, channel, payload, now, now)


async def publish_many(
    session: AsyncSession, messages: list[tuple[str, dict[str, Any]]], now: datetime
) -> OutboxMessage:
    """Several live messages (channel, payload) in one outbox row, e.g. one per batch."""
    payload = {"messages": [[channel, message] for channel, message in messages]}
    return await _add(session, OutboxKind.LIVE, MANY, payload, now, now)


def live_messages(topic: str, payload: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The (channel, payload) pairs a live outbox row carries."""
    if topic == MANY:
        return [(channel, message) for channel, message in payload["messages"]]
    return [(topic, payload)]


async def _add(
    session: AsyncSession,
    kind: OutboxKind,
    topic: str,
    payload: dict[str, Any],
    now: datetime,
    available_at: datetime,
) -> OutboxMessage:
    message = OutboxMessage(
        kind=kind, topic=topic, payload=payload, created_at=now, available_at=available_at
    )
    session.add(message)
    await session.flush()
    await (await session.connection()).execute(text(f"NOTIFY {CHANNEL}"))
    return message
