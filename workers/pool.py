"""One queue's worker pool: its broker, the actors declared on it, and — once started — a
Dramatiq worker whose threads run the actors on the pool's own event loop and database engine.

Two pools never share a thread, a loop or a connection pool, so deliveries waiting on a slow
receiver cannot hold anything a payment needs. Each run goes through ``execute``: the outbox
row's start claim, the actor, then ``done`` or ``failed`` (``app.outbox.lifecycle``).
Dramatiq's own retries are off (``max_retries=0``): a failed run is put back in the database by
``failed`` and handed on again by the relay, on Tally's clock, with a bounded number of runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.asyncio import EventLoopThread
from dramatiq.middleware import CurrentMessage

from app.outbox import lifecycle
from app.outbox.policy import JobPolicy
from workers.broker import QUEUES
from workers.registry import ActorSpec, WorkerRuntimes

log = logging.getLogger("tally.jobs")


class Pool:
    def __init__(
        self,
        queue: str,
        broker: dramatiq.Broker,
        specs: list[ActorSpec],
        runtimes: WorkerRuntimes,
        policy: JobPolicy,
    ) -> None:
        self.queue = queue
        self.broker = broker
        self.runtimes = runtimes
        self.policy = policy
        self.failures: list[str] = []  # "actor: error" of failed runs, for tests (``join``)
        self.loop: EventLoopThread | None = None
        self.worker: dramatiq.Worker | None = None
        broker.declare_queue(QUEUES[queue])
        self.actors = {spec.name: self._declare(spec) for spec in specs}

    def _declare(self, spec: ActorSpec) -> dramatiq.Actor[Any, Any]:
        actor: dramatiq.Actor[Any, Any] = dramatiq.actor(  # type: ignore[call-overload]
            self._runner(spec),
            actor_name=spec.name,
            queue_name=QUEUES[self.queue],
            broker=self.broker,
            max_retries=0,
        )
        return actor

    def _runner(self, spec: ActorSpec) -> Callable[..., None]:
        def run(**kwargs: Any) -> None:
            assert self.loop is not None, "the pool was not started"
            message = CurrentMessage.get_current_message()
            message_id = message.message_id if message is not None else ""
            self.loop.run_coroutine(self.execute(spec, message_id, kwargs))

        run.__name__ = spec.name.replace(".", "_")
        return run

    async def execute(self, spec: ActorSpec, message_id: str, kwargs: dict[str, Any]) -> None:
        runtime = self.runtimes.current()
        job = lifecycle.job_id(message_id)
        if job is None:  # not from the outbox (a test's direct send): nothing to mark
            await spec.job(runtime, **kwargs)
            return
        runs = await lifecycle.start(runtime.db, job, spec.name, runtime.clock.now(), self.policy)
        if runs is None:
            log.info("job.skip actor=%s message=%s: done, dead or running", spec.name, message_id)
            return
        current = lifecycle.Current(job, in_transaction=spec.one_transaction)
        token = lifecycle.CURRENT.set(current)
        try:
            await spec.job(runtime, **kwargs)
        except Exception as error:  # noqa: BLE001 - recorded (and logged) by _failed
            await self._failed(spec, job, runs, error)
            return
        finally:
            lifecycle.CURRENT.reset(token)
        if spec.one_transaction and current.commits > 1:
            problem = f"committed {current.commits} transactions; say one_transaction=False"
            log.error("job %s (%s) %s", job, spec.name, problem)
            self.failures.append(f"{spec.name}: {problem}")
        if not current.marked:
            await lifecycle.done(runtime.db, job, runtime.clock.now())

    async def _failed(self, spec: ActorSpec, job: int, runs: int, error: Exception) -> None:
        runtime = self.runtimes.current()
        fatal = isinstance(error, spec.throws)
        state = await lifecycle.failed(
            runtime.db, job, runs, error, runtime.clock.now(), self.policy, fatal=fatal
        )
        outcome = {"dead": "it is dead", None: "its work was done"}.get(state, "it runs again")
        log.exception("job %s (%s) failed on run %d; %s", job, spec.name, runs, outcome)
        self.failures.append(f"{spec.name}: {type(error).__name__}: {error}")

    def start(self, threads: int) -> None:
        self.loop = EventLoopThread(log)
        self.loop.start(timeout=5)
        self.worker = dramatiq.Worker(
            self.broker, queues={QUEUES[self.queue]}, worker_threads=threads, worker_timeout=100
        )
        self.worker.start()

    def join(self) -> None:
        """Wait until every queued job has run (the embedded broker; for tests)."""
        from dramatiq.brokers.stub import StubBroker

        assert isinstance(self.broker, StubBroker) and self.worker is not None
        self.broker.join(QUEUES[self.queue], fail_fast=True)
        self.worker.join()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self.loop is not None:
            self.loop.run_coroutine(self.runtimes.close())
            self.loop.stop()  # type: ignore[no-untyped-call]
            self.loop = None
        self.broker.close()
