"""Ingest benchmark: events per second with real-time debits, batch and single-event latency.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.ingest

It creates a fresh database on that server, seeds 1,000 customers (USD wallets, one grant each)
subscribed to a plan with three credit-priced metrics, starts ``tally serve`` (uvicorn, one
worker) as a subprocess, and drives it with concurrent keep-alive clients (``bench.http``):

* REST: ``POST /v1/events``, batches of 1,000 events, 4 clients;
* GraphQL: ``ingestEvents``, batches of 1,000, 4 clients, selecting every event's result;
* single events: ``POST /v1/events`` with one event each, at 4, 16 and 64 clients
  (``--single-clients``): requests per second, p50 and p99 at each.

The floor (``bench.floor``: what PostgreSQL alone takes, insert and dedupe only) is measured
before the first round and after the last, and the batch figures are also printed as ratios of
it (their median): on this shared machine the absolute figures drift ±40 % with the hour.

Each batch covers 32 random customers; an event is ``api_call`` (count, 1 credit) 85 % of the
time, ``tokens`` (sum of ``tokens`` 1..2000, 0.001 credit each) 10 %, ``report_generated``
(count, 50 credits) 5 %. Request bodies are built before the clock starts. After every round
it checks that each wallet's balance is its grant minus the exact price of its events, and
the ledger invariant. Figures are medians over the rounds; the last line is machine-readable.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from app.clock import SystemClock
from app.db.engine import Database, plain_url
from app.db.migrate import upgrade
from bench import http
from bench.floor import floor

CUSTOMERS = 1000
GRANT = Decimal(100_000_000)
PRICES = {"api_call": Decimal(1), "tokens": Decimal("0.001"), "report_generated": Decimal(50)}
BATCH = 1000
PER_BATCH_CUSTOMERS = 32
INGEST = (
    "mutation($events: [EventInput!]!) { ingestEvents(events: $events) {"
    " ... on IngestEventsPayload { accepted duplicates rejected"
    " results { index status error { field message } } wallets { walletId balance } }"
    " ... on Error { code message } } }"
)


@dataclass
class Ledger:
    """What the wallets must have lost, by customer, from the events sent."""

    debits: dict[str, Decimal] = field(default_factory=lambda: defaultdict(Decimal))
    tokens: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, event: dict[str, Any]) -> None:
        customer, metric = event["customer_external_id"], event["metric_code"]
        if metric == "tokens":
            self.tokens[customer] += event["properties"]["tokens"]
        else:
            self.debits[customer] += PRICES[metric]

    def expected(self, customer: str) -> Decimal:
        return GRANT - self.debits[customer] - PRICES["tokens"] * self.tokens[customer]


def event(rng: random.Random, customers: list[str]) -> dict[str, Any]:
    roll = rng.random()
    metric = "api_call" if roll < 0.85 else "tokens" if roll < 0.95 else "report_generated"
    found: dict[str, Any] = {
        "transaction_id": uuid.UUID(int=rng.getrandbits(128)).hex,
        "customer_external_id": rng.choice(customers),
        "metric_code": metric,
    }
    if metric == "tokens":
        found["properties"] = {"tokens": rng.randint(1, 2000)}
    return found


def batch(rng: random.Random, size: int, ledger: Ledger) -> list[dict[str, Any]]:
    customers = rng.sample([f"cust-{n}" for n in range(CUSTOMERS)], PER_BATCH_CUSTOMERS)
    events = [event(rng, customers) for _ in range(size)]
    for item in events:
        ledger.add(item)
    return events


def graphql_body(events: list[dict[str, Any]]) -> bytes:
    renamed = [
        {
            "transactionId": e["transaction_id"],
            "customerExternalId": e["customer_external_id"],
            "metricCode": e["metric_code"],
            **({"properties": e["properties"]} if "properties" in e else {}),
        }
        for e in events
    ]
    return orjson.dumps({"query": INGEST, "variables": {"events": renamed}})


async def seed(url: str) -> str:
    """Metrics, plan, 1,000 customers with wallets, grants and subscriptions; an ingest key."""
    from app.access import service as access
    from app.customers import service as customers
    from app.customers.service import CustomerInput
    from app.metering import service as metering
    from app.metering.models import Aggregation
    from app.metering.service import MetricInput
    from app.plans import service as plans
    from app.plans.models import BillingInterval
    from app.plans.service import ChargeInput, PlanInput
    from app.wallets import service as wallets
    from app.wallets.ledger import Cause
    from app.wallets.models import CauseType, DepletionPolicy
    from app.wallets.service import GrantRequest

    now = SystemClock().now()
    database = Database(url, pool_size=2)
    try:
        async with database.transaction() as session:
            for code, aggregation, prop, one, many in [
                ("api_call", Aggregation.COUNT, None, "API call", "API calls"),
                ("tokens", Aggregation.SUM, "tokens", "token", "tokens"),
                ("report_generated", Aggregation.COUNT, None, "report", "reports"),
            ]:
                data = MetricInput(code, code, one, many, aggregation, prop)
                await metering.create_metric(session, data, now)
            charges = [ChargeInput(code, price) for code, price in PRICES.items()]
            plan = PlanInput("bench", "Bench", "USD", BillingInterval.MONTHLY, charges)
            await plans.create_plan(session, plan, now)
            _, key = await access.create(session, "bench", ["ingest"], now)
        for start in range(0, CUSTOMERS, 100):
            async with database.transaction() as session:
                for n in range(start, start + 100):
                    person = CustomerInput(f"cust-{n}", f"Customer {n}", "USD")
                    customer = await customers.create(session, person, now)
                    wallet = await wallets.create_wallet(
                        session,
                        customer,
                        currency="USD",
                        rate="0.01",
                        policy=DepletionPolicy.ALLOW,
                        overdraft_limit=None,
                        now=now,
                    )
                    assert wallet.id is not None
                    await wallets.grant_credits(
                        session,
                        wallet.id,
                        GrantRequest(amount=GRANT),
                        now=now,
                        cause=Cause(CauseType.OPERATOR),
                        idempotency_key=f"seed-{n}",
                    )
                    await plans.subscribe(session, customer.external_id, "bench", now)
    finally:
        await database.dispose()
    return key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def launch(url: str, port: int) -> subprocess.Popen[bytes]:
    """``tally serve`` (uvicorn, one worker) on the bench database, logging to BENCH_LOG."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TALLY_ENVIRONMENT": "production",
        "TALLY_SECRET_KEY": uuid.uuid4().hex * 2,
    }
    env.pop("REDIS_URL", None)
    tally = Path(sys.executable).with_name("tally")
    log = Path(os.environ.get("BENCH_LOG", "/tmp/tally-bench-server.log")).open("wb")  # noqa: SIM115 - the server writes to it until it stops
    return subprocess.Popen(
        [str(tally), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def ready(port: int, log: str) -> None:
    """Wait until ``tally serve`` on ``port`` answers /ready (its log is ``log``)."""
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            try:
                if (await client.get(f"http://127.0.0.1:{port}/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"tally serve on {port} did not start; see {log}")


async def start_server(url: str, port: int) -> subprocess.Popen[bytes]:
    process = launch(url, port)
    async with httpx.AsyncClient() as client:
        for _ in range(900):  # 90 s: a loaded machine starts the server slowly
            try:
                if (await client.get(f"http://127.0.0.1:{port}/health")).status_code == 200:
                    return process
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    process.kill()
    raise SystemExit("tally serve did not start; see the server log")


async def drive(
    base: str, path: str, key: str, bodies: list[bytes], clients: int, check: Any
) -> tuple[float, list[float]]:
    """Send the bodies over ``clients`` keep-alive connections; return (seconds, latencies in
    ms). Requests are encoded before the clock starts (``bench.http``)."""
    host, port = base.removeprefix("http://").rsplit(":", 1)
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    queue = [http.request(host, path, body, headers) for body in reversed(bodies)]
    latencies: list[float] = []

    async def client() -> None:
        connection = await http.Connection.open(host, int(port))
        try:
            while queue:
                raw = queue.pop()
                started = time.perf_counter()
                response = await connection.send(raw)
                latencies.append((time.perf_counter() - started) * 1000)
                check(response)
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started, latencies


def settle() -> None:
    """Before a measurement: keep the load generator's own garbage collector from pausing it
    mid-run (a full collection can take 100 ms and more, and would count as Tally's latency)."""
    gc.collect()
    gc.freeze()


def rest_ok(response: http.Response) -> None:
    body = orjson.loads(response.content)
    assert response.status_code == 200 and body["rejected"] == 0, response.text[:500]
    assert body["duplicates"] == 0, response.text[:500]


def graphql_ok(response: http.Response) -> None:
    payload = orjson.loads(response.content)["data"]["ingestEvents"]
    assert payload["rejected"] == 0 and payload["duplicates"] == 0, str(payload)[:500]


def p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98]


async def verify(url: str, ledger: Ledger, events: int) -> None:
    connection = await asyncpg.connect(plain_url(url))
    try:
        rows = await connection.fetch(
            "SELECT c.external_id, w.balance, w.debt,"
            " (SELECT coalesce(sum(credits), 0) FROM ledger_entries e WHERE e.wallet_id = w.id),"
            " (SELECT coalesce(sum(remaining), 0) FROM grants g WHERE g.wallet_id = w.id)"
            " FROM wallets w JOIN customers c ON c.id = w.customer_id"
        )
        stored = await connection.fetchval("SELECT count(*) FROM events")
    finally:
        await connection.close()
    assert stored == events, f"{stored} events stored, {events} sent"
    for external_id, balance, debt, entries, remaining in rows:
        assert balance == ledger.expected(external_id), (external_id, balance)
        assert balance == entries == remaining - debt, (external_id, balance, entries, remaining)


@dataclass
class Round:
    rest: float
    graphql: float
    p99_batch: float
    graphql_p99: float
    single_p99: float  # at the first number of clients (4)
    single_p50: float
    singles: dict[int, tuple[float, float, float]]  # clients: (requests/s, p50, p99)
    single_cpu_us: float  # API process CPU per single-event request, at the most clients
    rest_cpu_ms: float  # API process CPU per batch of 1,000 (REST)
    rest_load_cpu_ms: float  # the load generator's own CPU per batch (REST)
    rest_db_cpu_ms: float  # PostgreSQL CPU per batch of 1,000 (REST; every database)
    graphql_cpu_ms: float  # the same through GraphQL


def stat_seconds(stat: str) -> float:
    """User + system CPU time in a ``/proc/<pid>/stat`` line."""
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process has used."""
    return stat_seconds(Path(f"/proc/{pid}/stat").read_text())


def postgres_seconds() -> float:
    """CPU time used by every live PostgreSQL process on this machine (all databases)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            total += stat_seconds(text)  # the line just read: the process may be gone now
    return total


async def one_round(
    base: str, key: str, rng: random.Random, ledger: Ledger, args: argparse.Namespace, pid: int
) -> Round:
    rest = [orjson.dumps({"events": batch(rng, BATCH, ledger)}) for _ in range(args.batches)]
    gql = [graphql_body(batch(rng, BATCH, ledger)) for _ in range(args.graphql_batches)]
    singles = {
        n: [orjson.dumps({"events": batch(rng, 1, ledger)}) for _ in range(args.singles)]
        for n in args.single_clients
    }
    settle()
    cpu, db_cpu, load_cpu = cpu_seconds(pid), postgres_seconds(), time.process_time()
    seconds, latencies = await drive(base, "/v1/events", key, rest, args.clients, rest_ok)
    rest_load_cpu = time.process_time() - load_cpu
    rest_cpu, cpu = cpu_seconds(pid) - cpu, cpu_seconds(pid)
    rest_db_cpu = postgres_seconds() - db_cpu
    gql_seconds, gql_latencies = await drive(base, "/graphql", key, gql, args.clients, graphql_ok)
    gql_cpu = cpu_seconds(pid) - cpu
    figures, cpu = {}, 0.0
    for clients, bodies in singles.items():
        settle()
        cpu = cpu_seconds(pid)
        took, lat = await drive(base, "/v1/events", key, bodies, clients, rest_ok)
        cpu = cpu_seconds(pid) - cpu
        figures[clients] = (len(bodies) / took, statistics.median(lat), p99(lat))
    first = figures[args.single_clients[0]]
    return Round(
        rest=len(rest) * BATCH / seconds,
        graphql=len(gql) * BATCH / gql_seconds,
        p99_batch=p99(latencies),
        graphql_p99=p99(gql_latencies),
        single_p99=first[2],
        single_p50=first[1],
        singles=figures,
        single_cpu_us=cpu / args.singles * 1e6,
        rest_cpu_ms=rest_cpu / len(rest) * 1000,
        rest_db_cpu_ms=rest_db_cpu / len(rest) * 1000,
        rest_load_cpu_ms=rest_load_cpu / len(rest) * 1000,
        graphql_cpu_ms=gql_cpu / len(gql) * 1000,
    )


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):  # peak resident set size
            return int(line.split()[1]) / 1024
    return float("nan")


async def main(args: argparse.Namespace) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tally_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    print(f"load average before: {os.getloadavg()}; database {name}", flush=True)
    process = None
    try:
        await asyncio.to_thread(upgrade, url)
        key = await seed(url)
        port = free_port()
        floors = [await floor(plain_url(server))]
        print(f"floor before: {floors[0]:.0f} events/s", flush=True)
        process = await start_server(url, port)
        base, rng, ledger, rounds = f"http://127.0.0.1:{port}", random.Random(1), Ledger(), []
        sent = 0
        for number in range(1, args.rounds + 1):
            result = await one_round(base, key, rng, ledger, args, process.pid)
            sent += (args.batches + args.graphql_batches) * BATCH
            sent += args.singles * len(args.single_clients)
            await verify(url, ledger, sent)
            rounds.append(result)
            print(f"round {number}: {result} (balances and ledger verified)", flush=True)
        rss = rss_mb(process.pid)
        floors.append(await floor(plain_url(server)))
        base_floor = statistics.median(floors)
        median = {
            f: statistics.median(getattr(r, f) for r in rounds)
            for f in Round.__annotations__
            if f != "singles"
        }
        single = {
            n: tuple(statistics.median(r.singles[n][i] for r in rounds) for i in range(3))
            for n in args.single_clients
        }
        for n, (rate, p50, p99_ms) in single.items():
            print(
                f"single events, {n} clients: {rate:.0f} requests/s, p50 {p50:.1f} ms,"
                f" p99 {p99_ms:.1f} ms"
            )
        most = args.single_clients[-1]
        print(
            f"floor (insert and dedupe only): {floors[0]:.0f} before, {floors[1]:.0f} after;"
            f" REST {median['rest'] / base_floor:.2f} and GraphQL"
            f" {median['graphql'] / base_floor:.2f} of it; GraphQL/REST per event"
            f" {median['rest'] / median['graphql']:.2f}x; API CPU per single-event request"
            f" at {most} clients {median['single_cpu_us']:.0f} us"
        )
        print(
            f"distribution: batches of {BATCH} over {PER_BATCH_CUSTOMERS} of {CUSTOMERS} customers,"
            f" 85% api_call / 10% tokens (sum) / 5% report_generated; {args.clients} clients;"
            f" load average after: {os.getloadavg()}"
        )
        print(
            f"graphql p99 batch ms: {median['graphql_p99']:.1f}; API process CPU per batch:"
            f" REST {median['rest_cpu_ms']:.1f} ms, GraphQL {median['graphql_cpu_ms']:.1f} ms;"
            f" PostgreSQL CPU per REST batch {median['rest_db_cpu_ms']:.1f} ms;"
            f" load generator CPU per REST batch {median['rest_load_cpu_ms']:.1f} ms;"
            f" single-event p50 {median['single_p50']:.1f} ms"
        )
        print(
            f"rest_events_per_s={median['rest']:.0f} graphql_events_per_s={median['graphql']:.0f}"
            f" p99_batch_ms={median['p99_batch']:.1f}"
            f" single_event_p99_ms={median['single_p99']:.1f}"
            f" api_rss_mb={rss:.0f} floor_events_per_s={base_floor:.0f}"
            f" rest_floor_ratio={median['rest'] / base_floor:.2f}"
            f" graphql_floor_ratio={median['graphql'] / base_floor:.2f}"
            f" single_events_per_s={single[most][0]:.0f} single_p99_ms={single[most][2]:.1f}"
        )
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batches", type=int, default=300, help="REST batches per round")
    parser.add_argument("--graphql-batches", type=int, default=100, help="per round")
    parser.add_argument(
        "--singles", type=int, default=2000, help="single-event requests per round and clients"
    )
    parser.add_argument(
        "--single-clients",
        type=lambda text: [int(n) for n in text.split(",")],
        default=[4, 16, 64],
        help="the numbers of concurrent clients sending single events (comma-separated)",
    )
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
