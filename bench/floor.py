"""The floor under any ingest: insert and dedupe only — no API, no debit, no usage.

The same table shape as Tally's events (a text key in C collation, jsonb properties, a BRIN
index on time, an index on customer and time), batches of 1,000 through asyncpg ``unnest …
ON CONFLICT DO NOTHING RETURNING``, 4 connections: what PostgreSQL alone takes on this machine
at this moment. ``bench.ingest`` divides its figures by it, measured before and after its
rounds, so that the machine's drift (±40 % by the hour on a shared 2-core VM) cancels out.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from datetime import UTC, datetime

import asyncpg
import orjson

BATCHES, SIZE, CLIENTS = 300, 1000, 4

CREATE = """
CREATE TABLE floor_events (transaction_id varchar(255) COLLATE "C" PRIMARY KEY,
  batch_id bigint NOT NULL, customer_id bigint NOT NULL, metric_id bigint NOT NULL,
  timestamp timestamptz NOT NULL, properties jsonb NOT NULL);
CREATE INDEX ON floor_events USING brin (timestamp);
CREATE INDEX ON floor_events (customer_id, timestamp);
"""

INSERT = """
INSERT INTO floor_events (transaction_id, batch_id, customer_id, metric_id, timestamp, properties)
SELECT t.tid, $1, t.cid, t.mid, t.ts, t.props::jsonb
FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::timestamptz[], $6::text[])
  AS t(tid, cid, mid, ts, props)
ORDER BY t.tid
ON CONFLICT (transaction_id) DO NOTHING RETURNING transaction_id
"""


def batches(count: int) -> list[tuple[object, ...]]:
    rng, now = random.Random(), datetime.now(UTC)
    made: list[tuple[object, ...]] = []
    for number in range(count):
        tids = [uuid.UUID(int=rng.getrandbits(128)).hex for _ in range(SIZE)]
        customers = [rng.randint(1, 1000) for _ in range(SIZE)]
        metrics = [rng.choice((1, 1, 1, 2, 3)) for _ in range(SIZE)]
        props = [orjson.dumps({"tokens": rng.randint(1, 2000)}).decode() for _ in range(SIZE)]
        made.append((number, tids, customers, metrics, [now] * SIZE, props))
    return made


async def floor(server: str, count: int = BATCHES) -> float:
    """Events per second PostgreSQL alone takes (a scratch database on ``server``)."""
    name = f"floor_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(server)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        pool = await asyncpg.create_pool(
            server.rsplit("/", 1)[0] + f"/{name}", min_size=CLIENTS, max_size=CLIENTS
        )
        await pool.execute(CREATE)
        queue = batches(count)

        async def client() -> None:
            async with pool.acquire() as connection:
                while queue:
                    batch = queue.pop()
                    async with connection.transaction():
                        await connection.fetch(INSERT, *batch)

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(CLIENTS)))
        seconds = time.perf_counter() - started
        await pool.close()
        return count * SIZE / seconds
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
