"""Scaled mode on a real Redis: jobs reach a worker through Redis; while Redis is down the
work keeps committing, jobs wait in the outbox, and each runs once after Redis returns."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from app import outbox
from app.clock import FrozenClock
from app.config import Settings
from app.db.engine import plain_url
from app.outbox.relay import Relay
from app.runtime import Runtime
from tests.redis_server import RedisServer
from workers.registry import ActorSpec
from workers.system import JobSystem


class Ran:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[int] = []

    async def job(self, runtime: Runtime, n: int) -> None:
        with self.lock:
            self.seen.append(n)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


async def _drain(database_url: str, jobs: JobSystem, clock: FrozenClock) -> int:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        return await Relay(plain_url(database_url), jobs.dispatch, clock).drain(connection)
    finally:
        await connection.close()


async def _enqueue(runtime: Runtime, n: int) -> None:
    async with runtime.db.transaction() as session:
        await outbox.enqueue(session, "test.ran", {"n": n}, runtime.clock.now())


async def _wait_for(ran: Ran, count: int) -> None:
    for _ in range(400):
        if len(ran.seen) >= count:
            return
        await asyncio.sleep(0.05)


async def _pending(runtime: Runtime) -> int:
    async with runtime.db.transaction() as session:
        connection = await session.connection()
        result = await connection.execute(
            text("SELECT count(*) FROM outbox WHERE state = 'pending'")
        )
        return int(result.scalar_one())


async def test_jobs_wait_in_the_outbox_while_redis_is_down(
    runtime: Runtime,
    database_url: str,
    clock: FrozenClock,
    settings: Settings,
    redis_server: RedisServer,
) -> None:
    ran = Ran()
    jobs = JobSystem(
        settings,
        database_url,
        clock,
        redis_url=redis_server.url,
        specs=[ActorSpec("test.ran", ran.job)],
    )
    jobs.start_worker(threads=2)
    try:
        await _enqueue(runtime, 1)
        assert await _drain(database_url, jobs, clock) == 1
        await _wait_for(ran, 1)
        assert ran.seen == [1]

        redis_server.stop()
        for n in (2, 3, 4):
            await _enqueue(runtime, n)  # the data's transactions keep committing
        assert await _drain(database_url, jobs, clock) == 0
        assert await _pending(runtime) == 3

        redis_server.start()
        clock.advance(timedelta(minutes=5))  # past the relay's backoff
        assert await _drain(database_url, jobs, clock) == 3
        assert await _drain(database_url, jobs, clock) == 0
        await _wait_for(ran, 4)
        await asyncio.sleep(0.3)  # a duplicate, if any, would arrive now
        assert sorted(ran.seen) == [1, 2, 3, 4]
        assert await _pending(runtime) == 0
    finally:
        jobs.stop()
