"""The outbox: jobs leave only after commit, exactly once per row, and survive a broken sink."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from app import outbox
from app.clock import FrozenClock
from app.customers import service as customers
from app.customers.service import CustomerInput
from app.db.engine import plain_url
from app.outbox.relay import Relay
from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause
from app.wallets.models import CauseType, DepletionPolicy, GrantKind
from app.wallets.service import GrantRequest
from tests.conftest import relay_all
from workers.scheduler import Periodic, Scheduler
from workers.system import JobSystem


class RecordingSinks:
    def __init__(self, fail_times: int = 0) -> None:
        self.fail_times = fail_times
        self.jobs: list[tuple[str, dict[str, Any]]] = []

    async def job(self, actor: str, payload: dict[str, Any], message_id: str) -> None:
        if self.fail_times > 0:
            self.fail_times -= 1
            raise ConnectionError("broker unreachable")
        self.jobs.append((actor, payload))

    async def live(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        self.jobs.extend(messages)


async def pending(runtime: Runtime) -> int:
    async with runtime.db.transaction() as session:
        result = await (await session.connection()).execute(
            text("SELECT count(*) FROM outbox WHERE state = 'pending'")
        )
        return int(result.scalar_one())


async def drain(database_url: str, sinks: RecordingSinks, clock: FrozenClock) -> int:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        return await Relay(plain_url(database_url), sinks, clock).drain(connection)
    finally:
        await connection.close()


async def test_rollback_sends_nothing(runtime: Runtime, database_url: str) -> None:
    with pytest.raises(RuntimeError):
        async with runtime.db.transaction() as session:
            await outbox.enqueue(session, "wallets.expire_due", {}, runtime.clock.now())
            raise RuntimeError("the operation failed")
    sinks = RecordingSinks()
    assert await drain(database_url, sinks, runtime.clock) == 0  # type: ignore[arg-type]
    assert sinks.jobs == []


async def test_failed_sink_keeps_the_row_and_sends_it_once_later(
    runtime: Runtime, database_url: str, clock: FrozenClock
) -> None:
    async with runtime.db.transaction() as session:
        await outbox.enqueue(session, "wallets.expire_due", {"n": 1}, clock.now())
    sinks = RecordingSinks(fail_times=1)
    assert await drain(database_url, sinks, clock) == 0
    assert await pending(runtime) == 1
    assert await drain(database_url, sinks, clock) == 0  # backing off: not due yet
    clock.advance(timedelta(minutes=2))
    assert await drain(database_url, sinks, clock) == 1
    assert await drain(database_url, sinks, clock) == 0
    assert sinks.jobs == [("wallets.expire_due", {"n": 1})]
    assert await pending(runtime) == 0


async def _wallet_with_expiring_grant(runtime: Runtime) -> int:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        customer = await customers.create(session, CustomerInput("acme", "Acme", "USD"), now)
        wallet = await wallets.create_wallet(
            session,
            customer,
            currency=None,
            rate="0.01",
            policy=DepletionPolicy.ALLOW,
            overdraft_limit=None,
            now=now,
        )
        assert wallet.id is not None
        await wallets.grant_credits(
            session,
            wallet.id,
            GrantRequest(amount="1000", kind=GrantKind.FREE, expires_at=now + timedelta(days=1)),
            cause=Cause(CauseType.OPERATOR),
            idempotency_key="g1",
            now=now,
        )
        return wallet.id


async def _balance(runtime: Runtime, wallet_id: int) -> Decimal:
    async with runtime.db.transaction() as session:
        result = await (await session.connection()).execute(
            text("SELECT balance FROM wallets WHERE id = :w"), {"w": wallet_id}
        )
        return Decimal(result.scalar_one())


async def test_scheduler_job_runs_on_the_worker_after_commit(
    runtime: Runtime, database_url: str, clock: FrozenClock, jobs: JobSystem
) -> None:
    wallet_id = await _wallet_with_expiring_grant(runtime)
    await relay_all(database_url, jobs, clock)  # the grant's wallet.updated message
    scheduler = Scheduler(runtime, [Periodic("wallets.expire_due", timedelta(minutes=1))])
    assert await scheduler.tick() == ["wallets.expire_due"]
    assert await scheduler.tick() == []  # not due again until a minute has passed
    assert await relay_all(database_url, jobs, clock) == 1
    assert await _balance(runtime, wallet_id) == Decimal(1000)  # nothing was due yet

    clock.advance(timedelta(days=1))
    assert await scheduler.tick() == ["wallets.expire_due"]
    assert await relay_all(database_url, jobs, clock) == 1  # the job
    assert await _balance(runtime, wallet_id) == Decimal(0)


async def test_the_relay_wakes_on_commit(
    runtime: Runtime, database_url: str, clock: FrozenClock
) -> None:
    sinks = RecordingSinks()
    relay = Relay(plain_url(database_url), sinks, clock, poll_seconds=3600)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.2)  # let it connect and LISTEN
        async with runtime.db.transaction() as session:
            await outbox.enqueue(session, "wallets.expire_due", {"woken": True}, clock.now())
        for _ in range(100):
            if sinks.jobs:
                break
            await asyncio.sleep(0.05)
        assert sinks.jobs == [("wallets.expire_due", {"woken": True})]
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
