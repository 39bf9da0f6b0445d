"""Console tests: NiceGUI's simulated ``user`` on the test runtime (real PostgreSQL, the
frozen clock, the in-memory live bus).

pytest refuses ``pytest_plugins`` in a conftest below the top level, so this conftest takes
NiceGUI's user plugin in two parts: its configure hook (session storage in a temporary folder,
its marker), and ``user`` built with the plugin's own ``user_simulation`` — here with the
console's pages registered on the test runtime instead of a main file. Like the plugin's
fixture, it fails a test that logged an ERROR.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import pytest
from nicegui import events
from nicegui.storage import request_contextvar
from nicegui.testing import User, user_simulation
from nicegui.testing.general_fixtures import pytest_configure  # noqa: F401  (NiceGUI's hook)

from app.clock import FrozenClock
from app.db.engine import plain_url
from app.operators import service as operators
from app.outbox.relay import Relay
from app.runtime import Runtime
from workers.system import JobSystem

ADMIN = ("admin@tally.test", "correct-horse-battery")
VIEWER = ("viewer@tally.test", "viewer-password-1")


def handled_in_the_page_request(monkeypatch: pytest.MonkeyPatch) -> None:
    """In a browser, NiceGUI runs an event handler with the request of the page it belongs to
    (``app.storage.user`` is that browser id's); the simulated user calls handlers with
    whatever request the test task opened last. Since a login gives the browser a new id (the
    login completes on another page), handlers must see their own page's request, as in a
    browser."""
    original = events.handle_event

    def handle_event(handler: Any, arguments: Any, **options: Any) -> None:
        client = getattr(arguments, "client", None)
        if client is not None and client._request is not None:
            request_contextvar.set(client.request)
        original(handler, arguments, **options)

    monkeypatch.setattr(events, "handle_event", handle_event)


@pytest.fixture
async def user(
    runtime: Runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[User]:
    import console

    handled_in_the_page_request(monkeypatch)
    async with user_simulation() as simulated:
        console.setup(runtime)
        yield simulated
        errors = [r for r in caplog.get_records("call") if r.levelname == "ERROR"]
        if errors:
            pytest.fail(f"ERROR logged: {errors[0].getMessage()}", pytrace=False)


async def make_operator(runtime: Runtime, email: str, password: str, role: str) -> int:
    async with runtime.db.transaction() as session:
        created = await operators.create(session, email, password, role, runtime.clock.now())
    assert created.id is not None
    return created.id


@pytest.fixture
async def admin(runtime: Runtime) -> tuple[str, str]:
    await make_operator(runtime, *ADMIN, "admin")
    return ADMIN


@pytest.fixture
async def viewer(runtime: Runtime) -> tuple[str, str]:
    await make_operator(runtime, *VIEWER, "viewer")
    return VIEWER


async def log_in(user: User, credentials: tuple[str, str], path: str = "/console") -> None:
    await user.open(path)
    await user.should_see(marker="login-email", retries=20)
    user.find(marker="login-email").type(credentials[0])
    user.find(marker="login-password").type(credentials[1])
    user.find(marker="login-submit").click()


@pytest.fixture
async def logged_in(user: User, admin: tuple[str, str]) -> User:
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    return user


@pytest.fixture
def publish(
    runtime: Runtime, database_url: str, clock: FrozenClock
) -> Iterator[Callable[[], Awaitable[int]]]:
    """Relay the committed outbox — live messages to the runtime's bus, jobs to an in-process
    worker — until nothing is left (what `tally serve` does continuously)."""
    jobs = JobSystem(runtime.settings, database_url, clock, redis_url=None, bus=runtime.bus)
    jobs.start_worker(threads=2)

    async def drain() -> int:
        relay = Relay(plain_url(database_url), jobs.dispatch, clock)
        connection = await asyncpg.connect(plain_url(database_url))
        sent = 0
        try:
            while (batch := await relay.drain(connection)) > 0:
                sent += batch
                await asyncio.to_thread(jobs.join)  # jobs may commit more outbox rows
        finally:
            await connection.close()
        return sent

    yield drain
    jobs.stop()
