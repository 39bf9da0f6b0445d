"""Invoice preview benchmark: how fast ``invoicePreview`` answers for a subscription with 10
money charges and 1,000,000 events in its period.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.preview

It creates a fresh database on that server (dropped at the end), seeds through the app's own
services ten summed metrics, a plan charging each in money (per unit, package, graduated,
volume and percentage, two of each; a base fee, a minimum commitment and two spending
minimums) and one customer subscribed to it, then sends the events through the real ingest
flow (``app.flows.ingest``, batches of 1,000, in process: usage rows and money amounts are
maintained as in production). It checks that the preview bills every event (each line's
quantity is the sum of the values sent), then times the GraphQL query through the whole ASGI
app (httpx in process, no network): the period's preview, a termination's and an upgrade's.
Figures are milliseconds, wall clock; the last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections import defaultdict
from decimal import Decimal
from typing import Any

import asyncpg
import httpx

from app.clock import FrozenClock
from app.config import Settings
from app.db.engine import Database, plain_url
from app.db.migrate import upgrade
from app.runtime import Runtime

METRICS = 10
CPU: list[float] = []  # the app process's CPU per request (ms), per series timed
BATCH = 1000
PREVIEW = """query($id: ID!, $change: PreviewSwitchInput, $terminate: Boolean!) {
  invoicePreview(subscriptionId: $id, change: $change, terminate: $terminate) {
    __typename ... on InvoicePreview { total { amount } lines { description quantity } }
    ... on Error { code message } } }"""


def charge(n: int) -> Any:
    from app.plans.models import ChargeModel
    from app.plans.money_charges import MoneyChargeInput, TierInput

    code = f"m{n}"
    tiers = [TierInput("0.002", 1000), TierInput("0.001", 100000), TierInput("0.0005")]
    models = [
        MoneyChargeInput(code, ChargeModel.PER_UNIT, unit_price="0.001"),
        MoneyChargeInput(code, ChargeModel.PACKAGE, unit_price="0.50", package_size=100),
        MoneyChargeInput(code, ChargeModel.GRADUATED, tiers=tiers),
        MoneyChargeInput(code, ChargeModel.VOLUME, tiers=tiers),
        MoneyChargeInput(code, ChargeModel.PERCENTAGE, percentage="0.5", fixed_fee="0.0001"),
    ]
    return models[n % len(models)]


async def seed(runtime: Runtime, now: Any) -> tuple[int, str]:
    """Metrics, the plans (``preview`` and the upgrade ``bigger``), a customer subscribed to
    ``preview``; the subscription id and an admin key."""
    from app.access import service as access
    from app.customers import service as customers
    from app.customers.service import CustomerInput
    from app.metering import service as metering
    from app.metering.models import Aggregation
    from app.metering.service import MetricInput
    from app.plans import service as plans
    from app.plans.commitments import Amount, MinimumInput, set_commitments
    from app.plans.models import BillingInterval
    from app.plans.service import PlanInput

    async with runtime.db.transaction() as session:
        for n in range(METRICS):
            data = MetricInput(f"m{n}", f"Metric {n}", "unit", "units", Aggregation.SUM, "v")
            await metering.create_metric(session, data, now)
        for code, fee in (("preview", "99.00"), ("bigger", "199.00")):
            money = [charge(n) for n in range(METRICS)]
            plan = PlanInput(
                code,
                code.title(),
                "USD",
                BillingInterval.MONTHLY,
                money_charges=money,
                base_fee=fee,
            )
            await plans.create_plan(session, plan, now)
        minimums = [MinimumInput(f"m{n}", Amount("10000.00", "USD")) for n in (0, 1)]
        await set_commitments(session, "preview", Amount("100000.00", "USD"), minimums, now)
        await customers.create(session, CustomerInput("acme", "Acme", "USD"), now)
        subscription = await plans.subscribe(session, "acme", "preview", now)
        _, key = await access.create(session, "bench", ["admin"], now)
    assert subscription.id is not None
    return subscription.id, key


async def send(runtime: Runtime, events: int, rng: random.Random) -> dict[str, Decimal]:
    """``events`` events through the ingest flow; the sum sent per metric."""
    from app.flows.ingest import ingest
    from app.metering.outcomes import Source, Status
    from app.metering.validation import REST_FIELDS, Window

    sums: dict[str, Decimal] = defaultdict(Decimal)
    source = Source("http", None, REST_FIELDS)
    settings, sent = runtime.settings, 0
    while sent < events:
        batch = []
        for i in range(min(BATCH, events - sent)):
            code, value = f"m{rng.randrange(METRICS)}", rng.randrange(1, 1000)
            sums[code] += value
            batch.append(
                {
                    "transaction_id": f"e-{sent + i}",
                    "customer_external_id": "acme",
                    "metric_code": code,
                    "properties": {"v": value},
                }
            )
        now = runtime.clock.now()
        window = Window.around(now, settings.backdating_days, settings.future_skew_seconds)
        async with runtime.db.transaction() as session:
            outcome = await ingest(session, runtime.catalog, batch, source, window)
        assert outcome.count(Status.ACCEPTED) == len(batch), outcome.results[:3]
        sent += len(batch)
    return sums


async def timed(
    client: httpx.AsyncClient, key: str, variables: dict[str, Any], runs: int
) -> tuple[list[float], dict[str, Any]]:
    headers = {"authorization": f"Bearer {key}"}
    body = {"query": PREVIEW, "variables": variables}
    times, found = [], {}
    cpu = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        response = await client.post("/graphql", json=body, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        found = response.json()["data"]["invoicePreview"]
        assert found["__typename"] == "InvoicePreview", found
    CPU.append((time.process_time() - cpu) * 1000 / runs)
    return times, found


def summary(times: list[float]) -> str:
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms, max {ordered[-1]:.1f} ms"


async def measure(url: str, args: argparse.Namespace) -> None:
    from datetime import UTC, datetime, timedelta

    from app.edge.server import create_app

    start = datetime(2026, 1, 1, tzinfo=UTC)
    clock = FrozenClock(start)
    settings = Settings(environment="test", secret_key=uuid.uuid4().hex)
    runtime = Runtime(settings, Database(url, pool_size=4), clock)
    try:
        subscription_id, key = await seed(runtime, clock.now())
        clock.set(start + timedelta(days=3))
        began = time.perf_counter()
        sums = await send(runtime, args.events, random.Random(1))
        took = time.perf_counter() - began
        print(f"ingested {args.events:,} events in {took:.1f} s", flush=True)
        clock.set(start + timedelta(days=20))
        transport = httpx.ASGITransport(app=create_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as client:
            plain = {"id": str(subscription_id), "change": None, "terminate": False}
            await timed(client, key, plain, 5)  # warm up
            period, found = await timed(client, key, plain, args.runs)
            quantities = [Decimal(line["quantity"]) for line in found["lines"][1 : METRICS + 1]]
            assert sorted(quantities) == sorted(sums.values()), (quantities, sums)
            ended = {**plain, "terminate": True}
            termination, _ = await timed(client, key, ended, args.runs)
            switched = {**plain, "change": {"planCode": "bigger"}}
            upgrade_, _ = await timed(client, key, switched, args.runs)
        print(f"lines {len(found['lines'])}, total {found['total']['amount']} USD (checked)")
        print(
            f"load average: {os.getloadavg()}; API process CPU per period preview: {CPU[1]:.1f} ms"
        )
        print(f"period preview: {summary(period)}")
        print(f"termination preview: {summary(termination)}")
        print(f"upgrade preview: {summary(upgrade_)}")
        print(
            f"events={args.events} charges={METRICS} preview_p50_ms={statistics.median(period):.1f}"
            f" preview_max_ms={max(period):.1f}"
            f" termination_p50_ms={statistics.median(termination):.1f}"
            f" upgrade_p50_ms={statistics.median(upgrade_):.1f}"
        )
    finally:
        await runtime.close()


async def main(args: argparse.Namespace) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tally_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        await measure(url, args)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
