"""Live benchmark: delay from an event's commit to `walletUpdated` on subscribers' websockets.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
    REDIS_URL=redis://127.0.0.1:6379/14 python -m bench.live

It creates a fresh database, seeds the ingest benchmark's 1,000 customers, and starts TWO
``tally serve`` processes on that database and Redis (scaled mode: each relays committed
changes to Redis pub/sub and fans them out to its own websockets). For N = 50, 200 and 500
subscribers, spread round-robin over both processes and over 100 wallets, it drives REST
ingest (batches of 1,000 events over 32 of those 100 customers, 2 clients, alternating
between the processes) for a fixed time, and records for every update a subscriber receives
the delay between the update's ``committedAt`` (taken in the ingest transaction's
before-commit step) and its arrival. It first measures the ingest rate with no subscriber,
to show what subscribers cost. Undelivered states of one wallet are coalesced by design
(latest wins), so a subscriber does not receive every intermediate balance; delays are over
what it receives.
Last line: ``p99_ms_50=… p99_ms_200=… p99_ms_500=… ingest_events_per_s=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from datetime import datetime
from pathlib import Path

import asyncpg
import httpx
import orjson

from app.clock import SystemClock
from app.db.engine import Database, plain_url
from app.db.migrate import upgrade
from bench.ingest import BATCH, Ledger, drive, event, free_port, ready, rest_ok, seed, settle
from tests.live.client import LiveClient

WALLETS = 100
SUBSCRIPTION = """subscription($walletId: ID!) {
  walletUpdated(walletId: $walletId) { balance committedAt }
}"""
PER_BATCH_CUSTOMERS = 32


def launch(url: str, redis_url: str, port: int, secret: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "TALLY_ENVIRONMENT": "production",
        "TALLY_SECRET_KEY": secret,
    }
    tally = Path(sys.executable).with_name("tally")
    log = Path(f"/tmp/tally-bench-live-{port}.log").open("wb")  # noqa: SIM115 - kept open for the server
    return subprocess.Popen(
        [str(tally), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


async def read_key_and_wallets(url: str) -> tuple[str, list[str]]:
    from app.access import service as access

    database = Database(url, pool_size=1)
    try:
        async with database.transaction() as session:
            _, key = await access.create(session, "bench live", ["read"], SystemClock().now())
    finally:
        await database.dispose()
    connection = await asyncpg.connect(plain_url(url))
    try:
        rows = await connection.fetch(
            "SELECT w.id FROM wallets w JOIN customers c ON c.id = w.customer_id"
            " WHERE c.external_id = ANY($1::text[]) ORDER BY w.id",
            [f"cust-{n}" for n in range(WALLETS)],
        )
    finally:
        await connection.close()
    return key, [str(r["id"]) for r in rows]


class Subscribers:
    def __init__(self) -> None:
        self.delays_ms: list[float] = []
        self.clients: list[LiveClient] = []
        self.tasks: list[asyncio.Task[None]] = []

    async def open(self, count: int, ports: list[int], key: str, wallets: list[str]) -> None:
        async def one(n: int) -> None:
            url = f"ws://127.0.0.1:{ports[n % len(ports)]}/graphql"
            client = await LiveClient.open(url, f"Bearer {key}")
            await client.acknowledged()
            await client.subscribe(SUBSCRIPTION, walletId=wallets[n % len(wallets)])
            await client.next_data(within=60)  # the initial state
            self.clients.append(client)
            self.tasks.append(asyncio.create_task(self._listen(client)))

        for start in range(0, count, 50):  # open in waves: a connect storm is not the subject
            await asyncio.gather(*(one(n) for n in range(start, min(count, start + 50))))

    async def _listen(self, client: LiveClient) -> None:
        while True:
            raw = await client.connection.recv()
            arrived = time.time()
            message = orjson.loads(raw)
            if message.get("type") != "next":
                continue
            update = message["payload"]["data"]["walletUpdated"]
            stamp = datetime.fromisoformat(update["committedAt"]).timestamp()
            self.delays_ms.append((arrived - stamp) * 1000)

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        await asyncio.gather(*(c.close() for c in self.clients), return_exceptions=True)


def bodies(rng: random.Random, count: int) -> list[bytes]:
    customers = [f"cust-{n}" for n in range(WALLETS)]
    ledger = Ledger()
    result = []
    for _ in range(count):
        chosen = rng.sample(customers, PER_BATCH_CUSTOMERS)
        events = [event(rng, chosen) for _ in range(BATCH)]
        for item in events:
            ledger.add(item)
        result.append(orjson.dumps({"events": events}))
    return result


async def paced(ports: list[int], key: str, batches: list[bytes], rate: float) -> float:
    """Send the batches at ``rate`` events/s (alternating processes); returns the rate reached."""
    headers = {"authorization": f"Bearer {key}", "content-type": "application/json"}
    clients = [httpx.AsyncClient(base_url=f"http://127.0.0.1:{p}", timeout=60) for p in ports]
    started = time.perf_counter()

    async def send(n: int, body: bytes) -> None:
        await asyncio.sleep(max(0.0, started + n * BATCH / rate - time.perf_counter()))
        rest_ok(await clients[n % len(clients)].post("/v1/events", content=body, headers=headers))

    await asyncio.gather(*(send(n, body) for n, body in enumerate(batches)))
    reached = len(batches) * BATCH / (time.perf_counter() - started)
    await asyncio.gather(*(c.aclose() for c in clients))
    return reached


async def ingest(ports: list[int], key: str, batches: list[bytes], clients: int) -> float:
    """Events per second over both processes, as fast as they go."""
    halves = [batches[i :: len(ports)] for i in range(len(ports))]
    started = time.perf_counter()
    await asyncio.gather(
        *(
            drive(f"http://127.0.0.1:{port}", "/v1/events", key, half, clients, rest_ok)
            for port, half in zip(ports, halves, strict=True)
        )
    )
    return len(batches) * BATCH / (time.perf_counter() - started)


def p(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else float("nan")


async def main(args: argparse.Namespace) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    name = f"tally_bench_live_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    print(f"load average before: {os.getloadavg()}; database {name}; redis {redis_url}")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        await asyncio.to_thread(upgrade, url)
        ingest_key = await seed(url)
        read_key, wallets = await read_key_and_wallets(url)
        ports, secret = [free_port(), free_port()], uuid.uuid4().hex * 2
        processes = [launch(url, redis_url, port, secret) for port in ports]
        await asyncio.gather(*(ready(p, f"/tmp/tally-bench-live-{p}.log") for p in ports))
        rng = random.Random(7)
        await ingest(ports, ingest_key, bodies(rng, 10), args.clients)  # warm up
        batches = int(args.rate * args.seconds / BATCH)
        figures: dict[int, tuple[float, float, float]] = {}
        for count in args.subscribers:
            subscribers = Subscribers()
            await subscribers.open(count, ports, read_key, wallets)
            paced_bodies = bodies(rng, batches)
            settle()
            rate = await paced(ports, ingest_key, paced_bodies, args.rate)
            await asyncio.sleep(1)  # the last updates in flight
            delays = subscribers.delays_ms
            figures[count] = (p(delays, 50), p(delays, 99), rate)
            print(
                f"N={count}: ingest paced at {rate:.0f} events/s; {len(delays)} updates"
                f" received, delay p50 {p(delays, 50):.1f} ms, p99 {p(delays, 99):.1f} ms",
                flush=True,
            )
            if count == max(args.subscribers):
                loaded = await ingest(ports, ingest_key, bodies(rng, args.batches), args.clients)
            await subscribers.close()
        bare = await ingest(ports, ingest_key, bodies(rng, args.batches), args.clients)
        cost = (loaded / bare - 1) * 100
        print(
            f"maximum ingest: {bare:.0f} events/s with no subscriber, {loaded:.0f} with"
            f" {max(args.subscribers)} ({cost:+.1f} %); load average after: {os.getloadavg()}"
        )
        paced_rate = min(f[2] for f in figures.values())
        print(
            " ".join(f"p99_ms_{n}={f[1]:.1f}" for n, f in figures.items())
            + f" ingest_events_per_s={paced_rate:.0f} max_ingest_no_subscribers={bare:.0f}"
            + f" max_ingest_{max(args.subscribers)}_subscribers={loaded:.0f}"
        )
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscribers", type=int, nargs="+", default=[50, 200, 500])
    parser.add_argument("--rate", type=float, default=10_000, help="paced events/s")
    parser.add_argument("--seconds", type=float, default=10, help="paced ingest per level")
    parser.add_argument("--batches", type=int, default=100, help="batches for the max rate")
    parser.add_argument("--clients", type=int, default=2, help="ingest clients per process")
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
