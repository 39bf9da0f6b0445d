"""Moves committed outbox rows to their destination (the job broker or the live bus).

``Relay.drain`` claims due rows in id order with ``FOR UPDATE SKIP LOCKED`` (so several
processes can relay at once without sending a row twice), hands each to its sink and marks it
dispatched in the same transaction. A sink that fails (Redis down) leaves its row pending with
a backoff; nothing is lost. ``Relay.run`` drains on every ``NOTIFY tally_outbox`` (sent by
PostgreSQL at commit) and at least every ``poll_seconds`` as the sweep.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import Any, Protocol

import asyncpg

from app.clock import Clock
from app.outbox.service import CHANNEL, live_messages

log = logging.getLogger("tally.outbox")


class Sinks(Protocol):
    async def job(self, actor: str, payload: dict[str, Any], message_id: str) -> None: ...

    async def live(self, messages: list[tuple[str, dict[str, Any]]]) -> None: ...


CLAIM = """
SELECT id, kind, topic, payload::text AS payload, attempts FROM outbox
WHERE dispatched_at IS NULL AND available_at <= $1
ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
"""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60, 2 ** min(attempts, 6)))


class Relay:
    def __init__(
        self,
        dsn: str,
        sinks: Sinks,
        clock: Clock,
        *,
        batch: int = 500,
        poll_seconds: float = 5.0,
    ) -> None:
        self.dsn = dsn
        self.sinks = sinks
        self.clock = clock
        self.batch = batch
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    async def drain(self, connection: asyncpg.Connection) -> int:
        """Dispatch every due row; returns how many were sent."""
        import orjson

        sent = 0
        while True:
            async with connection.transaction():
                rows = await connection.fetch(CLAIM, self.clock.now(), self.batch)
                if not rows:
                    return sent
                done, failed = [], []
                for row in rows:
                    payload = orjson.loads(row["payload"])
                    try:
                        if row["kind"] == "job":
                            await self.sinks.job(row["topic"], payload, f"outbox-{row['id']}")
                        else:
                            await self.sinks.live(live_messages(row["topic"], payload))
                        done.append(row["id"])
                    except Exception as error:  # noqa: BLE001 - any sink failure is retried
                        failed.append((row["id"], row["attempts"], str(error)[:500]))
                await self._mark(connection, done, failed, self.clock.now())
                sent += len(done)
                if failed:
                    log.warning("outbox: %d messages could not be sent; retrying", len(failed))
                    return sent

    async def _mark(
        self,
        connection: asyncpg.Connection,
        done: list[int],
        failed: list[tuple[int, int, str]],
        now: datetime,
    ) -> None:
        if done:
            await connection.execute(
                "UPDATE outbox SET dispatched_at = $1, attempts = attempts + 1 "
                "WHERE id = ANY($2::bigint[])",
                now,
                done,
            )
        for row_id, attempts, error in failed:
            await connection.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = $2, available_at = $3 "
                "WHERE id = $1",
                row_id,
                error,
                now + backoff(attempts + 1),
            )

    def wake(self, *_: Any) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Relay until cancelled: on every commit notification, and every poll interval."""
        while True:
            try:
                connection = await asyncpg.connect(self.dsn)
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("outbox relay cannot connect: %s", error)
                await asyncio.sleep(self.poll_seconds)
                continue
            try:
                await connection.add_listener(CHANNEL, self.wake)
                while True:
                    self._wake.clear()
                    await self.drain(connection)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                log.warning("outbox relay lost its connection: %s", error)
                await asyncio.sleep(1)
            finally:
                with contextlib.suppress(Exception):
                    await connection.close()
