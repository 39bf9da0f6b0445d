"""Money-priced usage never lands in a period that is already invoiced, where it would never be
billed: an event dated in such a period is rejected (``period_invoiced``, naming
``timestamp``), its neighbours are kept; and a batch that read the subscription just before a
concurrent close (termination, period end) runs again and sees it.

The clock starts at 15 Jan 2026 12:00 UTC, so monthly periods run 15 Jan – 15 Feb (31 days)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.billing import termination
from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import gb_events as gb
from tests.billing.support import (
    invoices,
    scale_customer,
    scale_plan,
    send,
    subscription,
    tick,
)
from tests.conftest import GraphQLClient
from tests.core.support import count_rows
from tests.metering.support import ingest
from tests.payments.support import settle_all
from workers.system import JobSystem

SURFACES = ["http", "graphql"]


def _dated(events: list[Any], moment: datetime) -> list[Any]:
    return [{**event, "timestamp": moment.isoformat()} for event in events]


@pytest.mark.parametrize("surface", SURFACES)
async def test_usage_dated_in_an_invoiced_period_is_rejected_and_its_neighbours_kept(
    surface: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    start = clock.now()
    await send("http", gql, http, gb("a", 20))  # 10.00 in the first period
    clock.set(start + timedelta(days=31, hours=1))  # the first period ended an hour ago
    await tick(runtime, database_url, jobs, clock)
    [first] = await invoices(gql, "PERIOD_END")
    assert first["total"]["amount"] == "10.00"

    late = _dated(gb("late", 20), start + timedelta(days=30))  # within the 7 days' window
    payload = await ingest(surface, gql, http, [*late, *gb("now", 10)])

    assert (payload["accepted"], payload["rejected"]) == (1, 2)
    for result in payload["results"][:2]:
        assert result["status"] == "REJECTED"
        assert result["error"]["code"] == "period_invoiced"
        assert result["error"]["field"] == "timestamp"
        assert "already invoiced" in result["error"]["message"]
    assert payload["results"][2]["status"] == "ACCEPTED"
    assert await count_rows(runtime.db, "rejected_events") == 2
    found = await subscription(gql, subscription_id)
    assert found["billingPeriod"]["usage"]["amount"] == "5.00"  # the second period: 10 GB
    first_period = await _period_usage(runtime, subscription_id, start)
    assert first_period == 1000  # 10.00, what its invoice billed: nothing added after


@pytest.mark.parametrize("surface", SURFACES)
async def test_a_batch_that_read_the_subscription_before_a_termination_runs_again(
    surface: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """The termination holds the period row while the batch comes in: the batch read the
    subscription as live, so its money usage would go to the period the final invoice closes;
    it runs again once the termination commits, and is then stored as usage of no live
    subscription (as any event after termination), not added to the invoiced period."""
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    start = clock.now()
    await send("http", gql, http, gb("a", 20))  # 10.00
    clock.advance(timedelta(days=3))

    closing = runtime.db.sessions()
    await termination.terminate(closing, int(subscription_id), runtime.settings, clock.now())
    batch = asyncio.create_task(ingest(surface, gql, http, gb("b", 40)))  # 20.00
    await _until_waiting_on_a_lock(runtime)
    assert not batch.done()
    await runtime.db.commit(closing)
    await closing.close()
    payload = await asyncio.wait_for(batch, 10)

    assert (payload["accepted"], payload["rejected"]) == (4, 0)
    await settle_all(database_url, jobs, clock)
    [final] = await invoices(gql, "PERIOD_END")
    assert final["total"]["amount"] == "10.00"
    assert await _period_usage(runtime, subscription_id, start) == 1000  # what was invoiced
    usage = await _usage_rows(runtime, subscription_id)
    assert usage == [(2, 20)]  # the first batch's 2 events of 10 GB; the second charged nothing


async def _until_waiting_on_a_lock(runtime: Runtime) -> None:
    """Until a backend of this database waits for a row lock (the batch, behind the closer)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    for _ in range(200):
        async with runtime.db.engine.connect() as connection:
            if (await connection.execute(query)).scalar_one():
                return
        await asyncio.sleep(0.02)
    raise AssertionError("no batch waited for the closing transaction")


async def _period_usage(runtime: Runtime, subscription_id: str, start: datetime) -> int:
    query = text(
        "SELECT usage_minor FROM billing_periods WHERE subscription_id = :s AND period_start = :p"
    )
    async with runtime.db.engine.connect() as connection:
        found = await connection.execute(query, {"s": int(subscription_id), "p": start})
        return int(found.scalar_one())


async def _usage_rows(runtime: Runtime, subscription_id: str) -> list[tuple[int, int]]:
    query = text("SELECT events, quantity FROM subscription_usage WHERE subscription_id = :s")
    async with runtime.db.engine.connect() as connection:
        rows = (await connection.execute(query, {"s": int(subscription_id)})).all()
        return [(int(r[0]), int(r[1])) for r in rows]
