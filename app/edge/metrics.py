"""Prometheus metrics at /metrics: one registry per app (no global state), process gauges, the
live layer's subscribers, and the jobs backlog per kind (read from the outbox at each scrape).
Domains add their own collectors to ``registry``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from app.outbox import backlog
from app.outbox.backlog import KindBacklog
from app.runtime import Runtime


class JobBacklog(Collector):
    """The outbox's open and dead rows per kind, as read just before the scrape."""

    def __init__(self) -> None:
        self.kinds: list[KindBacklog] = []

    def collect(self) -> Iterator[Metric]:
        pending = GaugeMetricFamily(
            "tally_jobs_pending",
            "Jobs and live messages not done yet (pending, relayed or running), per kind",
            labels=["kind"],
        )
        oldest = GaugeMetricFamily(
            "tally_jobs_oldest_pending_seconds",
            "Age of the oldest job or live message not done yet, per kind",
            labels=["kind"],
        )
        dead = GaugeMetricFamily(
            "tally_jobs_dead", "Jobs given up after their runs, per kind", labels=["kind"]
        )
        for kind in self.kinds:
            pending.add_metric([kind.kind], kind.pending)
            oldest.add_metric([kind.kind], kind.oldest_pending_seconds)
            dead.add_metric([kind.kind], kind.dead)
        yield from (pending, oldest, dead)


def build_registry(runtime: Runtime, jobs: JobBacklog | None = None) -> CollectorRegistry:
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    Gauge(
        "tally_live_subscribers", "Open live subscriptions in this process", registry=registry
    ).set_function(lambda: runtime.bus.hub.count())
    Gauge(
        "tally_asyncio_tasks", "Asyncio tasks alive in this process", registry=registry
    ).set_function(_task_count)
    if jobs is not None:
        registry.register(jobs)
    return registry


def _task_count() -> int:
    try:
        return len(asyncio.all_tasks())
    except RuntimeError:  # no running loop (scraped from another thread)
        return 0


def metrics_endpoint(runtime: Runtime) -> Callable[[Request], Awaitable[Response]]:
    jobs = JobBacklog()
    registry = build_registry(runtime, jobs)

    async def metrics(request: Request) -> Response:
        jobs.kinds = await backlog.read(runtime.db, runtime.clock.now())
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
