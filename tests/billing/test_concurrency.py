"""Two batches crossing the same threshold at once make one threshold invoice: the period row
is locked by the first until it commits, and the second then sees the whole usage and the
level already invoiced."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    amounts,
    batch,
    create_plan,
    invoices,
    scale_customer,
    scale_plan,
    subscription,
    tick,
)
from tests.billing.support import gb_events as gb
from tests.conftest import GraphQLClient
from tests.core.support import count_rows
from tests.metering.support import create_metric, subscribe
from tests.metering.support import ingest as ingest_on
from tests.payments.support import customer_with_method, settle_all
from workers.system import JobSystem


def _requests(prefix: str, count: int) -> list[Any]:
    return [
        {"transaction_id": f"{prefix}-{n}", "customer_external_id": "acme", "metric_code": "req"}
        for n in range(count)
    ]


async def test_a_batch_waits_for_the_period_then_sees_the_crossing_done(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "gb_processed", "SUM", singular="GB", plural="GB", prop="gb")
    await create_metric(gql, "req", singular="request", plural="requests")
    await create_plan(
        gql,
        code="duo",
        name="Duo",
        moneyCharges=[
            {
                "metricCode": "gb_processed",
                "model": "GRADUATED",
                "tiers": [{"upTo": "100", "unitPrice": "0.50"}, {"unitPrice": "0.40"}],
            },
            {"metricCode": "req", "unitPrice": "0.01"},
        ],
        thresholds=[{"amount": "50.00"}, {"amount": "500.00"}],
    )
    await customer_with_method(gql, "acme", None)
    subscription_id = await subscribe(gql, "acme", "duo")

    first = runtime.db.sessions()
    await batch(runtime, first, gb("a", 110))  # 54.00: crosses 50.00, not committed yet

    async def second() -> None:  # another metric: 60.00 alone would cross 50.00 too
        async with runtime.db.transaction() as session:
            await batch(runtime, session, _requests("r", 6000))

    waiting = asyncio.create_task(second())
    await asyncio.sleep(0.5)
    assert not waiting.done()  # it waits for the period row the first batch holds
    await runtime.db.commit(first)
    await first.close()
    await asyncio.wait_for(waiting, 10)

    assert await count_rows(runtime.db, "threshold_crossings") == 1
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    assert (invoice["total"]["amount"], invoice["threshold"]["amount"]) == ("54.00", "50.00")
    found = await subscription(gql, subscription_id)
    assert found["billingPeriod"]["usage"]["amount"] == "114.00"  # both batches, once each
    assert found["billingPeriod"]["billedByThresholds"]["amount"] == "54.00"

    clock.set(datetime.fromisoformat(found["currentPeriodEnd"]))
    await tick(runtime, database_url, jobs, clock)
    [closing] = await invoices(gql, "PERIOD_END")
    assert amounts(closing) == ["54.00", "60.00", "-54.00"]
    assert closing["total"]["amount"] == "60.00"


async def test_concurrent_batches_on_both_surfaces_make_one_invoice_per_threshold(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    customers = [f"c{n}" for n in range(4)]
    for customer in customers:
        await scale_customer(gql, customer)

    async def race(customer: str) -> None:  # 110 GB each: both cross 50.00; together 98.00
        await asyncio.gather(
            ingest_on("http", gql, http, gb(f"{customer}-h", 110, customer=customer)),
            ingest_on("graphql", gql, http, gb(f"{customer}-g", 110, customer=customer)),
        )

    await asyncio.gather(*(race(c) for c in customers))
    await settle_all(database_url, jobs, clock)
    found = await invoices(gql, "THRESHOLD")
    assert sorted(i["subscription"]["id"] for i in found) == ["1", "2", "3", "4"]
    assert {(i["total"]["amount"], i["threshold"]["amount"]) for i in found} == {("54.00", "50.00")}
    assert await count_rows(runtime.db, "threshold_crossings") == 4
