"""The demo tells the whole story through the real code paths on a moved clock — metrics with
unit labels, the hybrid plan, subscriptions, cards (one declines), bundles, four weeks of usage
with invoices, spend alerts that fired, an auto-recharge that ran — and the example event of
docs/frontend.md, sent for a demo customer, is accepted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.clock import FrozenClock
from app.edge.demo import seed
from app.edge.demo_story import DAYS, Story
from app.runtime import Runtime
from tests.conftest import mint_key
from tests.docs.examples import curl_events
from workers.system import JobSystem


async def one(runtime: Runtime, sql: str) -> list[Any]:
    async with runtime.db.sessions() as session:
        return list((await (await session.connection()).execute(text(sql))).all())


@pytest.mark.timeout(900)
async def test_the_demo_tells_the_whole_story(
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    http: httpx.AsyncClient,
) -> None:
    start = clock.now() - timedelta(days=DAYS + 1)
    async with runtime.db.transaction() as session:
        assert await seed(session, start)
    story = Story(runtime, clock, jobs, database_url)
    await story.act_as(await mint_key(runtime, ["admin"], "demo admin"))
    await story.play(start)

    metrics = await one(
        runtime, "SELECT code, unit_singular, unit_plural FROM billable_metrics ORDER BY code"
    )
    assert [tuple(m) for m in metrics] == [
        ("api_call", "API call", "API calls"),
        ("tokens", "token", "tokens"),
    ]
    assert (await one(runtime, "SELECT count(*) FROM subscriptions"))[0][0] == 4
    kinds = await one(runtime, "SELECT type, count(*) FROM invoices GROUP BY type")
    found = dict((k, n) for k, n in kinds)
    assert found["period_end"] == 4 and found["threshold"] >= 4 and found["credit_purchase"] >= 2
    declined = await one(
        runtime,
        "SELECT count(*) FROM payments p JOIN payment_methods m "
        "ON m.id = p.payment_method_id WHERE m.reference = 'pm_sandbox_decline' "
        "AND p.status = 'failed'",
    )
    assert declined[0][0] >= 1
    recharged = await one(runtime, "SELECT status FROM recharges WHERE trigger = 'threshold'")
    assert ("succeeded",) in [tuple(r) for r in recharged]
    fired = await one(runtime, "SELECT count(*) FROM alert_firings")
    assert fired[0][0] >= 1
    entries = await one(
        runtime,
        "SELECT description FROM ledger_entries WHERE kind = 'consumption' ORDER BY id LIMIT 1",
    )
    assert entries[0][0].endswith("API calls")

    key = await mint_key(runtime, ["ingest"], "docs")
    response = await http.post(
        "/v1/events", json=curl_events(), headers={"authorization": f"Bearer {key}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 2, response.json()
