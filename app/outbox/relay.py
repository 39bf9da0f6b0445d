"""Moves committed outbox rows to their destination (the job broker or the live bus), and hands
on again every job that its lease says was lost.

``Relay.drain`` claims due rows in id order with ``FOR UPDATE SKIP LOCKED`` (so several
processes can relay at once without sending a row twice) and hands each to its sink, in one
transaction. A due row is a new one, a retry, or a job whose lease ran out: handed to the
broker and not started (a Redis restarted empty lost it), or started and not done (its worker
died). A job is handed on with a lease of its kind's timeout (``JobPolicy``); a copy handed on
again because the last one never started gets two, then four (at most) times that, so a queue
longer than the timeout is not flooded with copies, and a lost job still waits at most four
timeouts. A job whose worker
died ``max_runs`` times is dead. A live message is done once the bus took it. A sink that fails
(Redis down) puts its row back with a backoff; nothing is lost. ``Relay.run`` drains on every
``NOTIFY tally_outbox`` (sent by PostgreSQL at commit) and at least every ``poll_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any, Protocol

import asyncpg
import orjson

from app.clock import Clock
from app.db import sql
from app.outbox.models import OPEN_SQL
from app.outbox.policy import JobPolicy
from app.outbox.service import CHANNEL, live_messages

log = logging.getLogger("tally.outbox")


class Sinks(Protocol):
    async def job(self, actor: str, payload: dict[str, Any], message_id: str) -> None: ...

    async def live(self, messages: list[tuple[str, dict[str, Any]]]) -> None: ...


# $1 now, $2 batch size, $3 per-kind timeouts (jsonb), $4 default timeout, $5 max runs.
# The transaction around it commits only after the sinks took the rows, so a crash in between
# leaves them as they were (sent again: at least once; the worker's start claim runs one).
CLAIM = sql.load("app.outbox", "claim", open=OPEN_SQL)

RETRY = sql.load("app.outbox", "retry")


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
        policy: JobPolicy | None = None,
    ) -> None:
        self.dsn = dsn
        self.sinks = sinks
        self.clock = clock
        self.batch = batch
        self.poll_seconds = poll_seconds
        self.policy = policy or JobPolicy()
        self._wake = asyncio.Event()

    async def drain(self, connection: asyncpg.Connection) -> int:
        """Hand on every due row; returns how many were sent."""
        sent = 0
        while True:
            async with connection.transaction():
                now = self.clock.now()
                rows = sorted(await connection.fetch(CLAIM, *self._claim_args(now)), key=_id)
                failed = await self._send(rows)
                if failed:
                    ids, errors, waits = (list(column) for column in zip(*failed, strict=True))
                    await connection.execute(RETRY, now, ids, errors, waits)
            dead = [row for row in rows if row["state"] == "dead"]
            for row in dead:
                log.error("job %s (%s) is dead: its runs never finished", row["id"], row["topic"])
            sent += len(rows) - len(failed) - len(dead)
            if failed:
                log.warning("outbox: %d messages could not be sent; retrying", len(failed))
                return sent
            if len(rows) < self.batch:  # nothing more was due (no second round trip to see it)
                return sent

    def _claim_args(self, now: Any) -> tuple[Any, ...]:
        policy = self.policy
        return (now, self.batch, policy.timeouts_json(), policy.default_timeout, policy.max_runs)

    async def _send(self, rows: list[asyncpg.Record]) -> list[tuple[int, str, int]]:
        """Hand each row to its sink; the rows a sink refused, with the error and a wait."""
        failed: list[tuple[int, str, int]] = []
        for row in rows:
            if row["state"] == "dead":
                continue
            if row["was"] != "pending" and row["kind"] == "job":
                log.warning("job %s (%s) handed on again: %s lease ran out", *_lapsed(row))
            payload = orjson.loads(row["payload"])
            try:
                if row["kind"] == "job":
                    await self.sinks.job(row["topic"], payload, f"outbox-{row['id']}")
                else:
                    await self.sinks.live(live_messages(row["topic"], payload))
            except Exception as error:  # noqa: BLE001 - any sink failure is retried
                wait = int(backoff(row["attempts"]).total_seconds())
                failed.append((row["id"], str(error)[:500], wait))
        return failed

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


def _lapsed(row: asyncpg.Record) -> tuple[Any, ...]:
    what = "the broker's (never started)" if row["was"] == "relayed" else "its run's"
    return (row["id"], row["topic"], what)
