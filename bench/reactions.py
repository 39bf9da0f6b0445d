"""Reactions benchmark: from the commit of the event that crosses a threshold to its job starting.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
    REDIS_URL=redis://127.0.0.1:6379/13 python -m bench.reactions

Scaled mode, as in production: a ``tally serve`` process (API and outbox relay) and a separate
``tally worker`` process (Dramatiq on Redis, plus its own relay), on a fresh database seeded
with the ingest benchmark's 1,000 customers. While two clients keep ingesting REST batches
for those customers (at least 5,000 events/s), the bench sends, every ``--interval`` seconds,
one batch that makes a probe customer cross a line:

* alert probes: 1,000 credits, a batch of 510 one-credit events → the 50 % alert fires;
* recharge probes: the same, with an auto-recharge rule (below 300 credits, buy 1,000; a
  sandbox card that succeeds) and a batch of 710 events → a recharge starts;
* threshold probes: subscribed to a money-priced plan (1.00 USD per GB, a usage threshold at
  10.00 USD) and one event of 15 GB → a threshold invoice is created and finalized.

The crossing is evaluated in the ingest transaction, which writes the job to the outbox; the
delay measured is from that outbox row's timestamp (taken in the transaction, just before
commit) to the worker starting the job (``job.start`` lines of the worker's log), for the
``alerts.notify`` and ``recharge.start`` jobs; for threshold invoices, from the crossing's
outbox row to the invoice's ``finalized_at``. Last line: ``alert_p50_ms=… alert_p99_ms=…
recharge_p50_ms=… recharge_p99_ms=… threshold_invoice_p99_ms=… ingest_events_per_s=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg
import httpx
import orjson

from app.clock import SystemClock
from app.db.engine import Database, plain_url
from app.db.migrate import upgrade
from bench.ingest import BATCH, Ledger, batch, free_port, ready, rest_ok, seed

JOB_START = re.compile(r"job\.start actor=(\S+) message=outbox-(\d+) at=([\d.]+)")
PROBE_CREDITS = Decimal(1000)


def launch(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    tally = Path(sys.executable).with_name("tally")
    return subprocess.Popen(
        [str(tally), *command],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


async def admin_key(url: str) -> str:
    from app.access import service as access

    database = Database(url, pool_size=1)
    try:
        async with database.transaction() as session:
            _, key = await access.create(session, "bench admin", ["admin"], SystemClock().now())
    finally:
        await database.dispose()
    return key


class Api:
    def __init__(self, base: str, key: str) -> None:
        self.http = httpx.AsyncClient(
            base_url=base, timeout=60, headers={"authorization": f"Bearer {key}"}
        )

    async def gql(self, query: str, **variables: object) -> dict[str, object]:
        response = await self.http.post("/graphql", json={"query": query, "variables": variables})
        body = response.json()
        assert not body.get("errors"), body
        data: dict[str, object] = body["data"]
        return data

    async def money_plan(self) -> None:
        await self.gql(
            """mutation { createMetric(input: {code: "gb", name: "GB processed",
                 unitSingular: "GB", unitPlural: "GB", aggregation: SUM, property: "gb"})
                 { __typename ... on Error { message } } }"""
        )
        await self.gql(
            """mutation { createPlan(input: {code: "scale", name: "Scale", currency: "USD",
                 moneyCharges: [{metricCode: "gb", unitPrice: "1.00"}],
                 thresholds: [{amount: "10.00"}]}) { __typename ... on Error { message } } }"""
        )

    async def threshold_probe(self, external_id: str) -> None:
        await self.gql(
            """mutation($input: CreateCustomerInput!) { createCustomer(input: $input)
                 { __typename ... on Error { message } } }""",
            input={"externalId": external_id, "name": external_id, "currency": "USD"},
        )
        await self.gql(
            """mutation($c: String!) {
                 createSubscription(input: {customerExternalId: $c, planCode: "scale"})
                 { __typename } }""",
            c=external_id,
        )

    async def probe(self, external_id: str, recharge: bool) -> None:
        data = await self.gql(
            """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
                 ... on CustomerPayload { wallet { id } } ... on Error { message } } }""",
            input={
                "externalId": external_id,
                "name": external_id,
                "currency": "USD",
                "billingEmail": f"{external_id}@bench.test",
                "wallet": {"rate": "0.01"},
            },
        )
        wallet = data["createCustomer"]["wallet"]["id"]  # type: ignore[index]
        await self.gql(
            "mutation($input: GrantCreditsInput!) { grantCredits(input: $input) { __typename } }",
            input={"walletId": wallet, "amount": str(PROBE_CREDITS), "idempotencyKey": external_id},
        )
        await self.gql(
            """mutation($c: String!) {
                 createSubscription(input: {customerExternalId: $c, planCode: "bench"})
                 { __typename } }""",
            c=external_id,
        )
        if recharge:
            await self.gql(
                """mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input)
                     { __typename } }""",
                input={"customerExternalId": external_id, "reference": "pm_sandbox_ok"},
            )
            await self.gql(
                """mutation($input: SetAutoRechargeInput!) { setAutoRecharge(input: $input)
                     { __typename ... on Error { message } } }""",
                input={
                    "walletId": wallet,
                    "trigger": "THRESHOLD",
                    "method": "FIXED",
                    "credits": "1000",
                    "threshold": "300",
                },
            )


def crossing(external_id: str, events: int) -> bytes:
    return orjson.dumps(
        {
            "events": [
                {
                    "transaction_id": f"{external_id}-{n}",
                    "customer_external_id": external_id,
                    "metric_code": "api_call",
                }
                for n in range(events)
            ]
        }
    )


async def load(base: str, key: str, stop: asyncio.Event, clients: int) -> int:
    """Background ingest until ``stop``; returns how many events were sent."""
    rng, ledger, sent = random.Random(3), Ledger(), 0
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}

    async def client() -> None:
        nonlocal sent
        async with httpx.AsyncClient(base_url=base, timeout=60) as http:
            while not stop.is_set():
                body = orjson.dumps({"events": batch(rng, BATCH, ledger)})
                rest_ok(await http.post("/v1/events", content=body, headers=headers))
                sent += BATCH

    await asyncio.gather(*(client() for _ in range(clients)))
    return sent


def over_threshold(external_id: str) -> bytes:
    event = {
        "transaction_id": f"{external_id}-gb",
        "customer_external_id": external_id,
        "metric_code": "gb",
        "properties": {"gb": 15},
    }
    return orjson.dumps({"events": [event]})


async def invoice_delays(url: str) -> list[float]:
    """Crossing's outbox row (just before commit) → the threshold invoice's finalization."""
    connection = await asyncpg.connect(plain_url(url))
    try:
        rows = await connection.fetch(
            "SELECT extract(epoch FROM i.finalized_at - o.created_at) * 1000 AS ms"
            " FROM outbox o"
            " JOIN threshold_crossings c ON c.id = (o.payload->>'crossing_id')::bigint"
            " JOIN invoices i ON i.id = c.invoice_id"
            " WHERE o.topic = 'billing.invoice_threshold' AND i.finalized_at IS NOT NULL"
        )
    finally:
        await connection.close()
    return [float(r["ms"]) for r in rows]


async def delays(url: str, log: Path) -> dict[str, list[float]]:
    text = await asyncio.to_thread(log.read_text, errors="replace")
    starts = [(m.group(1), int(m.group(2)), float(m.group(3))) for m in JOB_START.finditer(text)]
    connection = await asyncpg.connect(plain_url(url))
    try:
        rows = await connection.fetch(
            "SELECT id, extract(epoch FROM created_at) AS at FROM outbox WHERE id = ANY($1)",
            [row_id for _, row_id, _ in starts],
        )
    finally:
        await connection.close()
    created = {r["id"]: float(r["at"]) for r in rows}
    found: dict[str, list[float]] = {}
    for actor, row_id, started in starts:
        if row_id in created:
            found.setdefault(actor, []).append((started - created[row_id]) * 1000)
    return found


def pct(values: list[float], q: int) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100)[q - 1]


async def main(args: argparse.Namespace) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
    name = f"tally_bench_reactions_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    print(f"load average before: {os.getloadavg()}; database {name}; redis {redis_url}")
    worker_log = Path("/tmp/tally-bench-reactions-worker.log")
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "TALLY_ENVIRONMENT": "production",
        "TALLY_SECRET_KEY": uuid.uuid4().hex * 2,
    }
    processes: list[subprocess.Popen[bytes]] = []
    try:
        await asyncio.to_thread(upgrade, url)
        ingest_key, key = await seed(url), await admin_key(url)
        port = free_port()
        processes.append(
            launch(["serve", "--port", str(port)], env, Path("/tmp/tally-bench-reactions-api.log"))
        )
        processes.append(launch(["worker", "--threads", "4"], env, worker_log))
        await ready(port, "/tmp/tally-bench-reactions-api.log")
        base = f"http://127.0.0.1:{port}"
        api = Api(base, key)
        probes = [(f"probe-{kind}-{n}", kind == "r") for n in range(args.probes) for kind in "ar"]
        for external_id, recharge in probes:
            await api.probe(external_id, recharge)
        await api.money_plan()
        thresholds = [f"probe-t-{n}" for n in range(args.probes)]
        for external_id in thresholds:
            await api.threshold_probe(external_id)

        stop = asyncio.Event()
        started = time.perf_counter()
        background = asyncio.create_task(load(base, ingest_key, stop, args.clients))
        await asyncio.sleep(2)  # the load is running before the first crossing
        ingest_headers = {"authorization": f"Bearer {ingest_key}"}
        money_probes = iter(thresholds)
        for external_id, recharge in probes:
            body = crossing(external_id, 710 if recharge else 510)
            response = await api.http.post("/v1/events", content=body, headers=ingest_headers)
            rest_ok(response)
            if not recharge:  # one money crossing per pair of credit crossings
                body = over_threshold(next(money_probes))
                response = await api.http.post("/v1/events", content=body, headers=ingest_headers)
                rest_ok(response)
            await asyncio.sleep(args.interval)
        stop.set()
        sent = await background
        rate = sent / (time.perf_counter() - started)
        await asyncio.sleep(3)  # the last jobs start
        found = await delays(url, worker_log)
        alert, recharge_ = found.get("alerts.notify", []), found.get("recharge.start", [])
        invoiced = await invoice_delays(url)
        print(
            f"{len(alert)} alert jobs, {len(recharge_)} recharge jobs, {len(invoiced)} threshold"
            f" invoices (p50 {pct(invoiced, 50):.1f} ms) timed;"
            f" background ingest {rate:.0f} events/s; load average after: {os.getloadavg()}"
        )
        print(
            f"alert_p50_ms={pct(alert, 50):.1f} alert_p99_ms={pct(alert, 99):.1f}"
            f" recharge_p50_ms={pct(recharge_, 50):.1f} recharge_p99_ms={pct(recharge_, 99):.1f}"
            f" threshold_invoice_p99_ms={pct(invoiced, 99):.1f} ingest_events_per_s={rate:.0f}"
        )
        await api.http.aclose()
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--probes", type=int, default=30, help="alert and recharge probes each")
    parser.add_argument("--interval", type=float, default=0.2, help="seconds between crossings")
    parser.add_argument("--clients", type=int, default=2, help="background ingest clients")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
