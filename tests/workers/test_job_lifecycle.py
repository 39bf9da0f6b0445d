"""The job lifecycle on the embedded broker, with the test clock: written → relayed → running →
done, retried after a failure or a lapsed lease, dead after bounded runs; a copy of a job that
is running or done does not run again; a relay that crashes mid-drain loses nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from app import outbox
from app.clock import FrozenClock
from app.config import Settings
from app.db.engine import plain_url
from app.outbox import lifecycle
from app.outbox.policy import JobPolicy
from app.outbox.relay import Relay
from app.runtime import Runtime
from workers.registry import ActorSpec
from workers.system import JobFailed, JobSystem


class Actor:
    """Counts its runs; fails the first ``failures`` of them."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.runs: list[int] = []
        self.lock = threading.Lock()

    async def job(self, runtime: Runtime, n: int) -> None:
        with self.lock:
            self.runs.append(n)
            if self.failures > 0:
                self.failures -= 1
                raise RuntimeError(f"run {len(self.runs)} failed")


class Crash(BaseException):
    """The relay's process dying in the middle of a drain."""


@pytest.fixture
def policy_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"job_max_runs": 3, "job_timeout_seconds": 30.0})


def _system(settings: Settings, database_url: str, clock: FrozenClock, actor: Actor) -> JobSystem:
    system = JobSystem(
        settings, database_url, clock, redis_url=None, specs=[ActorSpec("test.job", actor.job)]
    )
    system.start_worker(threads=2)
    return system


@pytest.fixture
def actor() -> Actor:
    return Actor()


@pytest.fixture
def system(
    policy_settings: Settings, database_url: str, clock: FrozenClock, actor: Actor, runtime: Runtime
) -> Iterator[JobSystem]:
    running = _system(policy_settings, database_url, clock, actor)
    yield running
    running.stop()


async def _write(runtime: Runtime, *numbers: int) -> None:
    async with runtime.db.transaction() as session:
        for n in numbers:
            await outbox.enqueue(session, "test.job", {"n": n}, runtime.clock.now())


async def _relay(
    database_url: str, system: JobSystem, clock: FrozenClock, sinks: Any = None
) -> int:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        relay = Relay(
            plain_url(database_url), sinks or system.dispatch, clock, policy=system.policy
        )
        return await relay.drain(connection)
    finally:
        await connection.close()


async def _states(runtime: Runtime) -> list[tuple[str, int]]:
    async with runtime.db.engine.connect() as connection:
        found = await connection.execute(text("SELECT state, runs FROM outbox ORDER BY id"))
        return [(row[0], row[1]) for row in found]


async def test_a_job_is_done_once_its_actor_finished(
    runtime: Runtime, database_url: str, clock: FrozenClock, system: JobSystem, actor: Actor
) -> None:
    await _write(runtime, 1, 2)
    assert await _states(runtime) == [("pending", 0), ("pending", 0)]
    assert await _relay(database_url, system, clock) == 2
    system.join()
    assert sorted(actor.runs) == [1, 2]
    assert await _states(runtime) == [("done", 1), ("done", 1)]
    assert await _relay(database_url, system, clock) == 0


async def test_a_copy_of_a_done_or_running_job_does_not_run(
    runtime: Runtime, database_url: str, clock: FrozenClock, system: JobSystem, actor: Actor
) -> None:
    await _write(runtime, 1)
    await _relay(database_url, system, clock)
    system.join()
    await system.dispatch.job("test.job", {"n": 1}, "outbox-1")  # a broker's duplicate
    system.join()
    assert actor.runs == [1]

    await _write(runtime, 2)  # a run holds its lease: a copy meanwhile is skipped
    assert await lifecycle.start(runtime.db, 2, "test.job", clock.now(), system.policy) == 1
    await system.dispatch.job("test.job", {"n": 2}, "outbox-2")
    system.join()
    assert actor.runs == [1]


async def test_a_worker_that_died_mid_job_is_replaced_after_the_lease(
    runtime: Runtime, database_url: str, clock: FrozenClock, system: JobSystem, actor: Actor
) -> None:
    await _write(runtime, 1)
    # A worker took it and died before finishing: started, never done.
    assert await lifecycle.start(runtime.db, 1, "test.job", clock.now(), system.policy) == 1
    assert await _relay(database_url, system, clock) == 0  # its lease (30 s) holds
    clock.advance(timedelta(seconds=31))
    assert await _relay(database_url, system, clock) == 1
    system.join()
    assert actor.runs == [1]
    assert await _states(runtime) == [("done", 2)]


async def test_a_failing_job_runs_again_with_backoff_then_is_dead(
    runtime: Runtime,
    database_url: str,
    clock: FrozenClock,
    policy_settings: Settings,
    http: Any,
) -> None:
    failing = Actor(failures=99)
    system = _system(policy_settings, database_url, clock, failing)
    try:
        await _write(runtime, 1)
        await _relay(database_url, system, clock)
        with pytest.raises(JobFailed, match="run 1 failed"):
            system.join()
        assert await _states(runtime) == [("pending", 1)]
        assert await _relay(database_url, system, clock) == 0  # waits 2 s
        for waited in (2, 4):  # 2^runs seconds after each failure
            clock.advance(timedelta(seconds=waited))
            assert await _relay(database_url, system, clock) == 1
            with pytest.raises(JobFailed):
                system.join()
        assert failing.runs == [1, 1, 1]
        assert await _states(runtime) == [("dead", 3)]  # TALLY_JOB_MAX_RUNS = 3
        clock.advance(timedelta(hours=1))
        assert await _relay(database_url, system, clock) == 0
    finally:
        system.stop()
    body = (await http.get("/ready")).json()
    assert body["jobs"] == {"pending": 0, "oldest_pending_seconds": 0.0, "dead": 1}
    assert 'tally_jobs_dead{kind="test.job"} 1.0' in (await http.get("/metrics")).text


async def test_a_job_whose_workers_keep_dying_is_dead(
    runtime: Runtime, database_url: str, clock: FrozenClock, system: JobSystem, actor: Actor
) -> None:
    await _write(runtime, 1)
    for _ in range(3):  # TALLY_JOB_MAX_RUNS
        assert await lifecycle.start(runtime.db, 1, "test.job", clock.now(), system.policy)
        clock.advance(timedelta(seconds=31))
    assert await _relay(database_url, system, clock) == 0
    assert await _states(runtime) == [("dead", 3)]
    assert actor.runs == []


async def test_a_relay_that_crashes_mid_drain_loses_nothing_and_runs_each_job_once(
    runtime: Runtime, database_url: str, clock: FrozenClock, system: JobSystem, actor: Actor
) -> None:
    await _write(runtime, 1, 2, 3)

    class Crashing:
        """Hands the first job to the broker, then the process dies."""

        async def job(self, name: str, payload: dict[str, Any], message_id: str) -> None:
            if payload["n"] == 2:
                raise Crash
            await system.dispatch.job(name, payload, message_id)

        async def live(self, messages: list[Any]) -> None:
            return None

    with pytest.raises(Crash):
        await _relay(database_url, system, clock, Crashing())
    system.join()
    assert actor.runs == [1]  # the broker had it: it ran
    # The crash committed nothing: 2 and 3 are handed on now; 1 is done (its worker said so).
    assert await _relay(database_url, system, clock) == 2
    system.join()
    assert sorted(actor.runs) == [1, 2, 3]
    assert await _states(runtime) == [("done", 1), ("done", 1), ("done", 1)]


def test_timeouts_by_actor_then_domain_then_default() -> None:
    policy = JobPolicy(
        default_timeout=60, timeouts={"payments": 30, "payments.refresh": 5}, max_runs=3
    )
    assert policy.timeout("payments.refresh") == 5
    assert policy.timeout("payments.charge") == 30
    assert policy.timeout("alerts.notify") == 60
    assert [policy.retry_after(n) for n in (1, 2, 3, 20)] == [2, 4, 8, 300]


async def test_a_one_transaction_job_is_marked_done_by_its_own_commit(
    runtime: Runtime, database_url: str, clock: FrozenClock, policy_settings: Settings
) -> None:
    seen: list[str] = []

    async def job(worker: Runtime, n: int) -> None:
        async with worker.db.transaction() as session:
            connection = await session.connection()
            found = await connection.execute(text("SELECT state FROM outbox WHERE id = 1"))
            seen.append(found.scalar_one())
        async with worker.db.engine.connect() as other:  # after its commit, as others see
            found = await other.execute(text("SELECT state FROM outbox WHERE id = 1"))
            seen.append(found.scalar_one())
        raise RuntimeError("after the work committed")

    system = JobSystem(
        policy_settings, database_url, clock, redis_url=None, specs=[ActorSpec("test.job", job)]
    )
    system.start_worker(threads=1)
    try:
        await _write(runtime, 1)
        await _relay(database_url, system, clock)
        with pytest.raises(JobFailed):
            system.join()
        assert seen == ["running", "done"]
        assert await _states(runtime) == [("done", 1)]  # its work committed: not run again
    finally:
        system.stop()


async def test_an_actor_that_commits_twice_must_say_so(
    runtime: Runtime, database_url: str, clock: FrozenClock, policy_settings: Settings
) -> None:
    async def job(worker: Runtime, n: int) -> None:
        for _ in range(2):
            async with worker.db.transaction():
                pass

    specs = [ActorSpec("test.job", job), ActorSpec("test.two", job, one_transaction=False)]
    system = JobSystem(policy_settings, database_url, clock, redis_url=None, specs=specs)
    system.start_worker(threads=1)
    try:
        async with runtime.db.transaction() as session:
            await outbox.enqueue(session, "test.two", {"n": 1}, clock.now())
        await _relay(database_url, system, clock)
        system.join()  # declared: fine
        await _write(runtime, 2)
        await _relay(database_url, system, clock)
        with pytest.raises(JobFailed, match="committed 2 transactions"):
            system.join()
        assert await _states(runtime) == [("done", 1), ("done", 1)]
    finally:
        system.stop()
