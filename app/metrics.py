"""Prometheus metrics at /metrics: one registry per app (no global state), process gauges and
the live layer's subscribers. Domains add their own collectors to ``registry``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import Response

from app.runtime import Runtime


def build_registry(runtime: Runtime) -> CollectorRegistry:
    registry = CollectorRegistry()
    ProcessCollector(registry=registry)
    Gauge(
        "tally_live_subscribers", "Open live subscriptions in this process", registry=registry
    ).set_function(lambda: runtime.bus.hub.count())
    Gauge(
        "tally_asyncio_tasks", "Asyncio tasks alive in this process", registry=registry
    ).set_function(_task_count)
    return registry


def _task_count() -> int:
    try:
        return len(asyncio.all_tasks())
    except RuntimeError:  # no running loop (scraped from another thread)
        return 0


def metrics_endpoint(runtime: Runtime) -> Callable[[Request], Awaitable[Response]]:
    registry = build_registry(runtime)

    async def metrics(request: Request) -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return metrics
