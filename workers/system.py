"""The job system of one process: a broker, every actor declared on it, and — in the embedded
default or in ``tally worker`` — a Dramatiq worker consuming it (threads plus the AsyncIO
middleware's event loop, on which actors get their own database engine)."""

from __future__ import annotations

from typing import Any

import dramatiq
from dramatiq.asyncio import get_event_loop_thread
from dramatiq.middleware import Middleware

from app.clock import Clock
from app.config import Settings
from app.live.bus import Bus, build_bus
from workers.broker import QUEUE, BrokerSink, build_broker
from workers.dispatch import Dispatch
from workers.registry import ActorSpec, WorkerRuntimes, declare_actors
from workers.timing import JobTimings


class _CloseRuntimes(Middleware):
    """Dispose the actors' engines on their own event loop before it stops."""

    def __init__(self, runtimes: WorkerRuntimes) -> None:
        self.runtimes = runtimes

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        thread = get_event_loop_thread()
        if thread is not None:
            thread.run_coroutine(self.runtimes.close())


class JobSystem:
    def __init__(
        self,
        settings: Settings,
        database_url: str,
        clock: Clock,
        *,
        redis_url: str | None,
        specs: list[ActorSpec] | None = None,
        bus: Bus | None = None,
    ) -> None:
        self.broker = build_broker(redis_url)
        self.runtimes = WorkerRuntimes(settings, database_url, clock)
        self.broker.add_middleware(_CloseRuntimes(self.runtimes))
        self.broker.add_middleware(JobTimings())
        self.actors: dict[str, dramatiq.Actor[Any, Any]] = declare_actors(
            self.broker, self.runtimes, specs
        )
        self.bus = bus if bus is not None else build_bus(redis_url)
        self.dispatch = Dispatch(BrokerSink(self.broker), self.bus)
        self.worker: dramatiq.Worker | None = None

    def start_worker(self, threads: int = 4) -> None:
        self.worker = dramatiq.Worker(self.broker, worker_threads=threads, worker_timeout=100)
        self.worker.start()

    def join(self) -> None:
        """Wait until every queued job has run (the embedded broker; for tests)."""
        from dramatiq.brokers.stub import StubBroker

        assert isinstance(self.broker, StubBroker) and self.worker is not None
        self.broker.join(QUEUE, fail_fast=True)
        self.worker.join()

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        self.broker.close()
