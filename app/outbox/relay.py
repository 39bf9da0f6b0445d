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
from datetime import timedelta
from typing import Any, Protocol

import asyncpg

from app.clock import Clock
from app.outbox.service import CHANNEL, live_messages

log = logging.getLogger("tally.outbox")


class Sinks(Protocol):
    async def job(self, actor: str, payload: dict[str, Any], message_id: str) -> None: ...

    async def live(self, messages: list[tuple[str, dict[str, Any]]]) -> None: ...


# Claims due rows and marks them sent in one statement; the transaction around it commits only
# after the sinks took them, so a crash in between leaves them pending (sent again: at least
# once). A row a sink refused is put back (``RETRY``) in that same transaction.
CLAIM = """
UPDATE outbox SET dispatched_at = $1, attempts = attempts + 1
WHERE id IN (
  SELECT id FROM outbox WHERE dispatched_at IS NULL AND available_at <= $1
  ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
)
RETURNING id, kind, topic, payload::text AS payload, attempts
"""

RETRY = """
UPDATE outbox SET dispatched_at = NULL, last_error = t.error,
                  available_at = $1::timestamptz + t.wait * interval '1 second'
FROM unnest($2::bigint[], $3::text[], $4::int[]) AS t(id, error, wait)
WHERE outbox.id = t.id
"""


def _id(row: asyncpg.Record) -> int:
    return int(row["id"])


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
                now = self.clock.now()
                rows = sorted(await connection.fetch(CLAIM, now, self.batch), key=_id)
                failed: list[tuple[int, str, int]] = []
                for row in rows:
                    payload = orjson.loads(row["payload"])
                    try:
                        if row["kind"] == "job":
                            await self.sinks.job(row["topic"], payload, f"outbox-{row['id']}")
                        else:
                            await self.sinks.live(live_messages(row["topic"], payload))
                    except Exception as error:  # noqa: BLE001 - any sink failure is retried
                        wait = int(backoff(row["attempts"]).total_seconds())
                        failed.append((row["id"], str(error)[:500], wait))
                if failed:
                    await connection.execute(
                        RETRY,
                        now,
                        [f[0] for f in failed],
                        [f[1] for f in failed],
                        [f[2] for f in failed],
                    )
            sent += len(rows) - len(failed)
            if failed:
                log.warning("outbox: %d messages could not be sent; retrying", len(failed))
                return sent
            if len(rows) < self.batch:  # nothing more was due (no second round trip to see it)
                return sent

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
