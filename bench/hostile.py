"""Hostile benchmark: is the API still answering while clients send GraphQL bombs?

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.hostile

It creates a fresh database, seeds the ingest benchmark's 1,000 customers, starts
``tally serve`` (uvicorn, one worker) and mints an admin key and a customer token. It then
times, one at a time, the refusal of each hostile document: the fragment bomb at 20 and 30
levels (fragments that each spread the next one twice, ending in a nested list query) and the
1,000 aliases of a nested list query — each sent 5 times as a new text (parsed and measured),
and the 30-level bomb repeated as the same text (refused from the memo). Then
``--attackers`` clients (half with the admin key, half with the customer token) send those
three documents back to back for ``--seconds``, each request a new text (a unique operation
name: the memo never helps), while another client asks ``/health`` every 20 ms; the same is
measured with no attack first. Every answer is checked: the refusal with the expected code,
never data.

It also times what the limits let through at most: a query whose estimated cost is just
under the budget, and a whole introspection (what ``INTROSPECTION_COST`` stands for).
Last line: ``health_p99_ms=… health_p50_ms=… idle_health_p99_ms=… bomb20_refuse_ms=…
bomb30_refuse_ms=… aliases1000_refuse_ms=… cached_refuse_ms=… refusals_per_s=…
refusal_cpu_ms=… max_cost_query_ms=… introspection_ms=…`` (``refusal_cpu_ms``: the API
process's CPU time per refusal during the attack, which depends less on the machine's other
load than the latencies do).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import statistics
import time
import uuid
from collections.abc import Callable

import asyncpg
import orjson
from graphql import get_introspection_query

from app.clock import SystemClock
from app.db.engine import Database, plain_url
from app.db.migrate import upgrade
from bench import http
from bench.ingest import cpu_seconds, free_port, p99, seed, settle, start_server

NESTED = "customers(first: 200) { nodes { wallet { ledgerEntries(first: 200) { nodes { id } } } } }"
# Estimated cost 19,761 of the default budget of 20,000 (graphql_schema/limits/shape.py).
NEAR_BUDGET = """{ customers(first: 190) { nodes { id externalId name billingEmail currency
  createdAt wallet { id balance debt currency
    grants(first: 10) { nodes { id amount remaining } }
    ledgerEntries(first: 10) { nodes { id credits balanceAfter description } } } } } }"""
EXPECTED = {"bomb20": "TOO_MANY_SELECTIONS", "bomb30": "TOO_MANY_SELECTIONS"}
EXPECTED["aliases1000"] = "DOCUMENT_TOO_LONG"


def bomb(levels: int, name: str) -> str:
    parts = [f"query {name} {{ ...F0 }}"]
    parts += [f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels)]
    parts.append(f"fragment F{levels} on Query {{ {NESTED} }}")
    return " ".join(parts)


def aliases(count: int, name: str) -> str:
    return f"query {name} {{ " + " ".join(f"a{i}: {NESTED}" for i in range(count)) + " }"


DOCUMENTS: dict[str, Callable[[str], str]] = {
    "bomb20": lambda name: bomb(20, name),
    "bomb30": lambda name: bomb(30, name),
    "aliases1000": lambda name: aliases(1000, name),
}


class Client:
    """One keep-alive connection to ``/graphql`` with one credential (``bench.http``)."""

    def __init__(self, connection: http.Connection, host: str, credential: str) -> None:
        self.connection, self.host, self.credential = connection, host, credential

    def request(self, query: str) -> bytes:
        headers = {"authorization": f"Bearer {self.credential}"}
        headers["content-type"] = "application/json"
        return http.request(self.host, "/graphql", orjson.dumps({"query": query}), headers)

    async def send(self, raw: bytes) -> tuple[float, dict[str, object]]:
        """(milliseconds, the decoded answer)."""
        started = time.perf_counter()
        reply = await self.connection.send(raw)
        elapsed = (time.perf_counter() - started) * 1000
        return elapsed, orjson.loads(reply.content)


def refused(kind: str, body: dict[str, object]) -> None:
    errors = body.get("errors")
    assert body.get("data") is None and isinstance(errors, list), str(body)[:300]
    codes = [e.get("extensions", {}).get("code") for e in errors]
    assert EXPECTED[kind] in codes, str(body)[:300]


async def credentials(url: str, base: str) -> tuple[str, str]:
    """An admin key (minted in the database) and a customer token (asked of the API)."""
    from app.access import service as access

    database = Database(url, pool_size=1)
    try:
        async with database.transaction() as session:
            _, key = await access.create(session, "hostile", ["admin"], SystemClock().now())
    finally:
        await database.dispose()
    host, port = base.removeprefix("http://").rsplit(":", 1)
    client = Client(await http.Connection.open(host, int(port)), host, key)
    mint = """mutation { createCustomerToken(customerExternalId: "cust-1") {
        ... on CustomerToken { token } } }"""
    _, body = await client.send(client.request(mint))
    await client.connection.close()
    data = body["data"]
    assert isinstance(data, dict), body
    return key, str(data["createCustomerToken"]["token"])


async def one_at_a_time(client: Client) -> dict[str, float]:
    """The median refusal of each document as a new text (5 of each), and of one repeated
    text (after a first request, which looks the key up)."""
    _, body = await client.send(client.request("{ __typename }"))
    assert body.get("data") == {"__typename": "Query"}, body
    times: dict[str, float] = {}
    for kind, document in DOCUMENTS.items():
        new = []
        for _ in range(5):
            text = document(f"New{uuid.uuid4().hex}")
            elapsed, body = await client.send(client.request(text))
            refused(kind, body)
            new.append(elapsed)
        times[kind] = statistics.median(new)
    repeated = client.request(bomb(30, "Repeated"))
    cached = []
    for _ in range(50):
        elapsed, body = await client.send(repeated)
        refused("bomb30", body)
        cached.append(elapsed)
    times["cached"] = statistics.median(cached)
    return times


async def health(host: str, port: int, stop: asyncio.Event) -> list[float]:
    """``GET /health`` every 20 ms until ``stop``; the latencies in ms."""
    connection = await http.Connection.open(host, port)
    raw = f"GET /health HTTP/1.1\r\nhost: {host}\r\n\r\n".encode()
    latencies: list[float] = []
    try:
        while not stop.is_set():
            started = time.perf_counter()
            reply = await connection.send(raw)
            latencies.append((time.perf_counter() - started) * 1000)
            assert reply.status_code == 200
            await asyncio.sleep(0.02)
    finally:
        await connection.close()
    return latencies


async def attack(client: Client, stop: asyncio.Event, number: int) -> int:
    """Send the three documents in turn, each a new text, until ``stop``; how many."""
    kinds = itertools.cycle(DOCUMENTS)
    sent = 0
    while not stop.is_set():
        kind = next(kinds)
        _, body = await client.send(client.request(DOCUMENTS[kind](f"A{number}x{sent}")))
        refused(kind, body)
        sent += 1
    return sent


async def measure(
    base: str, key: str, token: str, pid: int, args: argparse.Namespace
) -> dict[str, float]:
    host, port_text = base.removeprefix("http://").rsplit(":", 1)
    port = int(port_text)

    async def client(credential: str) -> Client:
        return Client(await http.Connection.open(host, port), host, credential)

    admin = await client(key)
    figures = await one_at_a_time(admin)
    stop = asyncio.Event()
    settle()
    idle = asyncio.create_task(health(host, port, stop))
    await asyncio.sleep(args.seconds / 2)
    stop.set()
    figures["idle_p99"] = p99(await idle)
    attackers = [await client(key if n % 2 == 0 else token) for n in range(args.attackers)]
    stop = asyncio.Event()
    settle()
    watch = asyncio.create_task(health(host, port, stop))
    started, cpu = time.perf_counter(), cpu_seconds(pid)
    sending = [asyncio.create_task(attack(a, stop, n)) for n, a in enumerate(attackers)]
    await asyncio.sleep(args.seconds)
    stop.set()
    sent = sum(await asyncio.gather(*sending))
    figures["refusals_per_s"] = sent / (time.perf_counter() - started)
    figures["refusal_cpu"] = (cpu_seconds(pid) - cpu) * 1000 / sent
    during = await watch
    figures["health_p99"], figures["health_p50"] = p99(during), statistics.median(during)
    for each in (admin, *attackers):
        await each.connection.close()
    fresh = await client(key)  # the server closed the idle one (keep-alive timeout)
    figures.update(await allowed(fresh))
    await fresh.connection.close()
    return figures


async def allowed(admin: Client) -> dict[str, float]:
    """Medians of 5: the query just under the cost budget, and a whole introspection."""
    figures = {}
    for name, query in [("max_cost", NEAR_BUDGET), ("introspection", get_introspection_query())]:
        times = []
        for _ in range(5):
            elapsed, body = await admin.send(admin.request(query))
            assert not body.get("errors") and body.get("data"), str(body)[:300]
            times.append(elapsed)
        figures[name] = statistics.median(times)
    return figures


async def main(args: argparse.Namespace) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tally_bench_hostile_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    print(f"load average before: {os.getloadavg()}; database {name}", flush=True)
    process = None
    try:
        await asyncio.to_thread(upgrade, url)
        await seed(url)
        port = free_port()
        process = await start_server(url, port)
        base = f"http://127.0.0.1:{port}"
        key, token = await credentials(url, base)
        f = await measure(base, key, token, process.pid, args)
        print(
            f"{args.attackers} attackers for {args.seconds} s, every answer the expected refusal;"
            f" load average after: {os.getloadavg()}"
        )
        print(
            f"health_p99_ms={f['health_p99']:.1f} health_p50_ms={f['health_p50']:.1f}"
            f" idle_health_p99_ms={f['idle_p99']:.1f} bomb20_refuse_ms={f['bomb20']:.1f}"
            f" bomb30_refuse_ms={f['bomb30']:.1f} aliases1000_refuse_ms={f['aliases1000']:.1f}"
            f" cached_refuse_ms={f['cached']:.2f} refusals_per_s={f['refusals_per_s']:.0f}"
            f" refusal_cpu_ms={f['refusal_cpu']:.2f}"
            f" max_cost_query_ms={f['max_cost']:.1f} introspection_ms={f['introspection']:.1f}"
        )
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
