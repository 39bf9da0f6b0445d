"""/ready reports the broker in scaled mode and the jobs backlog; /metrics shows the backlog
per kind and the oldest pending age."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest

from app import outbox
from app.clock import FrozenClock
from app.config import Settings
from app.db.engine import Database
from app.edge.server import create_app
from app.runtime import Runtime
from tests.redis_server import free_port


@pytest.fixture
def scaled_settings(settings: Settings) -> Settings:
    """Scaled mode with a Redis nobody listens on (Redis is gone)."""
    return settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0"})


@pytest.fixture
async def scaled_http(
    db: Database, clock: FrozenClock, scaled_settings: Settings
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Runtime(scaled_settings, db, clock))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as client:
        yield client


async def test_ready_says_degraded_with_the_broker_gone(scaled_http: httpx.AsyncClient) -> None:
    response = await scaled_http.get("/ready")
    body = response.json()
    assert body["status"] == "degraded", body
    assert body["broker"].startswith("unreachable"), body
    assert body["database"] == "ok"
    assert response.status_code == 200  # keep serving: the outbox keeps the jobs (README)


async def test_ready_and_metrics_show_the_jobs_backlog(
    http: httpx.AsyncClient, runtime: Runtime, clock: FrozenClock
) -> None:
    async with runtime.db.transaction() as session:
        await outbox.enqueue(session, "payments.charge", {"payment_id": 1}, clock.now())
        await outbox.enqueue(session, "payments.charge", {"payment_id": 2}, clock.now())
    clock.advance(timedelta(seconds=42))
    async with runtime.db.transaction() as session:
        await outbox.enqueue(session, "alerts.notify", {"firing_ids": [1]}, clock.now())
    clock.advance(timedelta(seconds=3))

    body = (await http.get("/ready")).json()
    assert body["status"] == "ready", body
    assert body["broker"] == "in-process"
    assert body["jobs"] == {"pending": 3, "oldest_pending_seconds": 45.0, "dead": 0}

    text = (await http.get("/metrics")).text
    assert 'tally_jobs_pending{kind="payments.charge"} 2.0' in text
    assert 'tally_jobs_pending{kind="alerts.notify"} 1.0' in text
    assert 'tally_jobs_oldest_pending_seconds{kind="payments.charge"} 45.0' in text
    assert 'tally_jobs_oldest_pending_seconds{kind="alerts.notify"} 3.0' in text
