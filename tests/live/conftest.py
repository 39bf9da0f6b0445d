from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest
import uvicorn

from app.clock import FrozenClock
from app.db.engine import plain_url
from app.edge.server import create_app
from app.outbox.relay import Relay
from app.runtime import Runtime
from tests.redis_server import free_port
from workers.system import JobSystem


class LiveServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.ws_url = f"ws://127.0.0.1:{port}/graphql"
        self.http_url = f"http://127.0.0.1:{port}"


@pytest.fixture
async def live_server(
    runtime: Runtime, database_url: str, clock: FrozenClock
) -> AsyncIterator[LiveServer]:
    """A real uvicorn server on a free port, with the outbox relay feeding the live bus."""
    jobs = JobSystem(runtime.settings, database_url, clock, redis_url=None, bus=runtime.bus)
    relay = Relay(plain_url(database_url), jobs.dispatch, clock, poll_seconds=1)
    app = create_app(runtime, background=[relay.run])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning", lifespan="on"))
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    yield LiveServer(port)
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task
    jobs.stop()
