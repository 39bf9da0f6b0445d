"""Memory under unknown API keys: what 40,000 requests with random keys cost the API process.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python -m bench.key_cache

It creates a fresh database on that server, starts ``tally serve`` (production mode, the key
cache on as deployed: 5 s, 10,000 keys), warms it up with 2,000 requests carrying random
``tly_…`` keys, reads the process's resident memory (VmRSS), sends 40,000 more — half to
``POST /v1/events``, half to ``POST /graphql``, each with its own random key, over 2 keep-alive
connections, each answered 401 — and reads it again. Before the key cache was bounded, each
unknown key stayed in it for good (~263 bytes each, ~10 MB for 40,000). The last line:

    key_cache_rss_growth_mb=… requests=… seconds=…
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import time
import uuid
from pathlib import Path

import asyncpg

from app.access.service import KEY_PREFIX
from app.db.engine import plain_url
from app.db.migrate import upgrade
from bench import http
from bench.ingest import free_port, start_server


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def requests(count: int) -> list[bytes]:
    built = []
    for n in range(count):
        headers = {
            "authorization": f"Bearer {KEY_PREFIX}{secrets.token_urlsafe(32)}",
            "content-type": "application/json",
        }
        if n % 2:
            built.append(http.request("127.0.0.1", "/v1/events", b'{"events":[]}', headers))
        else:
            body = b'{"query":"{ customers { nodes { id } } }"}'
            built.append(http.request("127.0.0.1", "/graphql", body, headers))
    return built


async def send(port: int, raws: list[bytes], clients: int) -> float:
    queue = list(reversed(raws))

    async def client() -> None:
        connection = await http.Connection.open("127.0.0.1", port)
        try:
            while queue:
                reply = await connection.send(queue.pop())
                assert reply.status_code == 401, reply.text[:300]
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return time.perf_counter() - started


async def main(args: argparse.Namespace) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tally_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    process = None
    try:
        await asyncio.to_thread(upgrade, url)
        port = free_port()
        process = await start_server(url, port)
        warm, measured = requests(args.warmup), requests(args.keys)
        await send(port, warm, args.clients)
        before = rss_mb(process.pid)
        seconds = await send(port, measured, args.clients)
        after = rss_mb(process.pid)
        print(f"API process RSS: {before:.1f} MB before, {after:.1f} MB after")
        print(
            f"key_cache_rss_growth_mb={after - before:.1f} requests={args.keys}"
            f" seconds={seconds:.1f}"
        )
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=20)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keys", type=int, default=40_000)
    parser.add_argument("--warmup", type=int, default=2_000)
    parser.add_argument("--clients", type=int, default=2)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
