"""The job system of one process: a pool per queue (``jobs``, ``deliveries``: a broker and
the actors declared on it) and, in the embedded default or in ``tally worker``, the pools'
workers. ``dispatch`` is what the outbox relay hands rows to."""

from __future__ import annotations

from collections.abc import Iterable

from app.clock import Clock
from app.config import Settings
from app.live import Bus, build_bus
from app.outbox.policy import JobPolicy
from workers.broker import DELIVERIES, JOBS, QUEUES, BrokerSink, build_broker
from workers.dispatch import Dispatch
from workers.pool import Pool
from workers.registry import ActorSpec, WorkerRuntimes, all_specs
from workers.timing import JobTimings


class JobFailed(AssertionError):
    """Jobs failed while the tests waited for them (``join``)."""


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
        specs = specs if specs is not None else all_specs()
        self.policy = JobPolicy.of(settings)
        self.pools: dict[str, Pool] = {}
        for queue in QUEUES:
            broker = build_broker(redis_url)
            broker.add_middleware(JobTimings())
            runtimes = WorkerRuntimes(settings, database_url, clock)
            mine = [spec for spec in specs if spec.queue == queue]
            self.pools[queue] = Pool(queue, broker, mine, runtimes, self.policy)
        routes = {spec.name: spec.queue for spec in specs}
        brokers = {queue: pool.broker for queue, pool in self.pools.items()}
        self.bus = bus if bus is not None else build_bus(redis_url)
        self.dispatch = Dispatch(BrokerSink(brokers, routes), self.bus)

    def start_worker(
        self,
        threads: int = 4,
        delivery_threads: int | None = None,
        queues: Iterable[str] = (JOBS, DELIVERIES),
    ) -> None:
        """Run the pools of ``queues``: ``threads`` for jobs, ``delivery_threads`` (default:
        the same) for deliveries."""
        for queue in queues:
            count = threads if queue == JOBS else (delivery_threads or threads)
            self.pools[queue].start(count)

    def join(self) -> None:
        """Wait until every queued job has run (the embedded broker; for tests); raise if any
        of them failed since the last join."""
        failures: list[str] = []
        for pool in self.pools.values():
            if pool.worker is not None:
                pool.join()
            failures += pool.failures
            pool.failures.clear()
        if failures:
            raise JobFailed("; ".join(failures))

    def stop(self) -> None:
        for pool in self.pools.values():
            pool.stop()
