from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel.ext.asyncio.session import AsyncSession

from app.outbox.models import OutboxKind

# The channel ``tally_outbox_write`` notifies (the relay LISTENs to it).
CHANNEL = "tally_outbox"
MANY = "*"

# Every outbox row is written by this PostgreSQL function (app/outbox/sql): here, and inside
# the statements that write rows without Python in between (the live wallet updates of the
# balance reactions, progressive billing's threshold jobs).
WRITE = text(
    "SELECT tally_outbox_write(:kind, :topic, :payload, :created_at, :available_at)"
).bindparams(bindparam("payload", type_=JSONB))


async def enqueue(
    session: AsyncSession,
    actor: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    delay: timedelta = timedelta(0),
) -> int:
    """Ask for a job (actor ``"<domain>.<verb>"`` with keyword arguments) once this commits."""
    return await _add(session, OutboxKind.JOB, actor, payload, now, now + delay)


async def publish(
    session: AsyncSession, channel: str, payload: dict[str, Any], now: datetime
) -> int:
    """Send a live message to the subscribers of ``channel`` once this commits."""
    return await _add(session, OutboxKind.LIVE, channel, payload, now, now)


async def publish_many(
    session: AsyncSession, messages: list[tuple[str, dict[str, Any]]], now: datetime
) -> int:
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
) -> int:
    """Write the row (its id) after flushing the session's pending changes, as every service
    call that writes does."""
    await session.flush()
    values = {
        "kind": kind.value,
        "topic": topic,
        "payload": payload,
        "created_at": now,
        "available_at": available_at,
    }
    written = await (await session.connection()).execute(WRITE, values)
    return int(written.scalar_one())
