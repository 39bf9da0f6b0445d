"""A job is done when the database says so: a message the broker lost (Redis restarted empty,
a worker killed before it finished) is handed on again once its timeout has passed, and runs
once in effect; an auto-recharge whose start job was lost is never wedged."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from app import outbox
from app.clock import FrozenClock
from app.config import Settings
from app.db.engine import plain_url
from app.outbox.relay import Relay
from app.recharge.sweep import REASON
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import burn, check_wallet, grant
from tests.payments.support import balance, customer_with_method, rows, set_rule, settle_all
from tests.redis_server import RedisServer
from workers.registry import ActorSpec
from workers.scheduler import Periodic, Scheduler
from workers.system import JobSystem

PAST_TIMEOUT = timedelta(minutes=2)  # longer than every kind's default timeout


class Ran:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: list[int] = []

    async def job(self, runtime: Runtime, n: int) -> None:
        with self.lock:
            self.seen.append(n)


class Swallowing:
    """A broker that takes every job and loses it (as a Redis restarted empty does)."""

    def __init__(self) -> None:
        self.lost: list[str] = []

    async def job(self, actor: str, payload: dict[str, Any], message_id: str) -> None:
        self.lost.append(actor)

    async def live(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        return None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


async def _drain(database_url: str, sinks: Any, clock: FrozenClock) -> int:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        return await Relay(plain_url(database_url), sinks, clock).drain(connection)
    finally:
        await connection.close()


async def _wait_for(ran: Ran, count: int) -> None:
    for _ in range(200):
        if len(ran.seen) >= count:
            return
        await asyncio.sleep(0.05)


async def test_jobs_redis_lost_in_a_restart_run_once_after_their_timeout(
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
    try:
        async with runtime.db.transaction() as session:
            for n in (1, 2, 3):
                await outbox.enqueue(session, "test.ran", {"n": n}, clock.now())
        assert await _drain(database_url, jobs.dispatch, clock) == 3  # Redis holds them

        redis_server.stop()  # no worker had taken them: a restart loses them
        redis_server.start()
        jobs.start_worker(threads=2)
        assert await _drain(database_url, jobs.dispatch, clock) == 0  # not due again yet
        clock.advance(PAST_TIMEOUT)
        assert await _drain(database_url, jobs.dispatch, clock) == 3
        await _wait_for(ran, 3)
        await asyncio.sleep(0.3)  # a duplicate, if any, would arrive now
        assert sorted(ran.seen) == [1, 2, 3]
    finally:
        jobs.stop()


async def test_an_auto_recharge_whose_start_job_was_lost_still_runs(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "2000", "start")
    answer = await set_rule(
        gql, wallet_id, trigger="THRESHOLD", method="FIXED", threshold="1000", credits="5000"
    )
    assert answer["__typename"] == "AutoRechargeRulePayload", answer
    await burn(runtime, wallet_id, "1500")  # 500: a recharge starts
    lost = Swallowing()
    await _drain(database_url, lost, clock)
    assert "recharge.start" in lost.lost

    clock.advance(PAST_TIMEOUT)
    await settle_all(database_url, jobs, clock)
    found = await rows(runtime.db, "SELECT status FROM recharges")
    assert [r[0] for r in found] == ["succeeded"]
    assert await balance(gql, wallet_id) == Decimal(5500)
    await check_wallet(runtime.db, wallet_id)


async def test_an_auto_recharge_whose_start_job_gave_up_frees_the_rule(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "2000", "start")
    answer = await set_rule(
        gql,
        wallet_id,
        trigger="THRESHOLD",
        method="FIXED",
        threshold="1000",
        credits="5000",
        cooldownSeconds=0,
    )
    assert answer["__typename"] == "AutoRechargeRulePayload", answer
    await burn(runtime, wallet_id, "1500")  # 500: a recharge starts
    async with runtime.db.transaction() as session:  # its start job used up its runs
        await (await session.connection()).execute(
            text("UPDATE outbox SET state = 'dead' WHERE topic = 'recharge.start'")
        )
    await burn(runtime, wallet_id, "100")  # 400: the one in flight blocks a second one
    assert len(await rows(runtime.db, "SELECT id FROM recharges")) == 1

    scheduler = Scheduler(runtime, [Periodic("recharge.sweep", timedelta(minutes=1))])
    await scheduler.tick()
    await settle_all(database_url, jobs, clock)
    found = await rows(runtime.db, "SELECT status FROM recharges")
    assert [r[0] for r in found] == ["pending"]  # younger than TALLY_RECHARGE_TIMEOUT_SECONDS

    clock.advance(timedelta(minutes=5))
    await scheduler.tick()
    await settle_all(database_url, jobs, clock)
    found = await rows(runtime.db, "SELECT status, failure_reason FROM recharges")
    assert [tuple(r) for r in found] == [("failed", REASON)]

    await burn(runtime, wallet_id, "100")  # 300: the rule starts again
    await settle_all(database_url, jobs, clock)
    found = await rows(runtime.db, "SELECT status FROM recharges ORDER BY id")
    assert [r[0] for r in found] == ["failed", "succeeded"]
    assert await balance(gql, wallet_id) == Decimal(5300)
    await check_wallet(runtime.db, wallet_id)
