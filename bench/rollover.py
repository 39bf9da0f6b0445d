"""Rollover benchmark: one period boundary over many wallets, in one scheduler run.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench.rollover
    # options: --wallets 100000

Creates a fresh database on the ``DATABASE_URL`` server (dropped at the end), migrates it and
seeds, in bulk SQL, ``--wallets`` customers each with a USD wallet whose boundary is due, a
third per policy (``expire_at_period_end``; ``rollover_with_expiry`` 3 months with a cap of
600 credits; ``rollover``), each wallet with a free grant (1,000 credits, 300 used) and a paid
one (500 credits for 5.00 USD), their ledger entries and balances consistent. Then it runs the
scheduler's job ``wallets.roll_over`` once, as the worker runs it (a transaction per batch of
wallets, the balance reactions before each commit), with the clock at the boundary; checks
the books of every wallet (``balance = Σ ledger = Σ remaining grants − debt``) and the exact
totals expected; runs the job again and checks that it wrote nothing. Last line:
``wallets=… seconds=… wallets_per_s=… entries=… grants=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from datetime import UTC, datetime

import asyncpg

from app.clock import FrozenClock
from app.config import Settings
from app.db.engine import Database, plain_url
from app.db.migrate import upgrade
from app.runtime import Runtime
from app.wallets.rollover import BATCH
from workers import wallets as wallet_jobs

CREATED = datetime(2026, 1, 15, 12, tzinfo=UTC)
BOUNDARY = datetime(2026, 2, 15, 12, tzinfo=UTC)

SEED = """
INSERT INTO customers (id, external_id, name, currency, metadata, created_at, updated_at)
SELECT i, 'c' || i, 'Customer ' || i, 'USD', '{{}}', {c}, {c} FROM generate_series(1, {n}) i;
INSERT INTO wallets (id, customer_id, currency, rate, policy, overdraft_limit, balance, debt,
                     reference_balance, rollover_policy, rollover_months, rollover_cap,
                     period_anchor, period_months, boundary_index, next_boundary,
                     created_at, updated_at)
SELECT i, i, 'USD', 0.01, 'allow', 0, 1200, 0, 1500,
       (ARRAY['expire_at_period_end', 'rollover_with_expiry', 'rollover'])[i % 3 + 1],
       CASE WHEN i % 3 = 1 THEN 3 END, CASE WHEN i % 3 = 1 THEN 600 END,
       {c}, 1, 1, '{boundary}', {c}, {c}
FROM generate_series(1, {n}) i;
INSERT INTO grants (id, wallet_id, kind, source, amount, remaining, priority, cost_minor,
                    description, created_at)
SELECT 2 * i - 1, i, 'free', 'signup_bonus', 1000, 700, 50, NULL, '', {c}
FROM generate_series(1, {n}) i
UNION ALL
SELECT 2 * i, i, 'paid', 'purchase', 500, 500, 50, 500, '', {c}::timestamptz + interval '1 day'
FROM generate_series(1, {n}) i;
INSERT INTO ledger_entries (wallet_id, kind, credits, balance_after, grant_id, cause_type,
                            description, created_at)
SELECT i, 'grant', 1000, 1000, 2 * i - 1, 'system', 'bonus', {c} FROM generate_series(1, {n}) i
UNION ALL
SELECT i, 'purchase', 500, 1500, 2 * i, 'system', 'pack', {c}::timestamptz + interval '1 day'
FROM generate_series(1, {n}) i
UNION ALL
SELECT i, 'consumption', -300, 1200, NULL, 'system', 'usage', {c}::timestamptz + interval '2 days'
FROM generate_series(1, {n}) i;
SELECT setval('customers_id_seq', {n});
SELECT setval('wallets_id_seq', {n});
SELECT setval('grants_id_seq', 2 * {n});
"""

BOOKS = """
SELECT count(*) FILTER (WHERE w.balance <> l.total OR w.balance <> g.total - w.debt) AS wrong,
       sum(w.balance) AS balance
FROM wallets w
JOIN (SELECT wallet_id, sum(credits) AS total FROM ledger_entries GROUP BY 1) l
  ON l.wallet_id = w.id
JOIN (SELECT wallet_id, sum(remaining) AS total FROM grants GROUP BY 1) g ON g.wallet_id = w.id
"""


async def seed(url: str, wallets: int) -> None:
    connection = await asyncpg.connect(plain_url(url))
    try:
        await connection.execute(
            SEED.format(c=f"'{CREATED.isoformat()}'", n=wallets, boundary=BOUNDARY.isoformat())
        )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await connection.close()


async def counts(url: str) -> tuple[int, int, int, int]:
    connection = await asyncpg.connect(plain_url(url))
    try:
        books = await connection.fetchrow(BOOKS)
        entries = await connection.fetchval("SELECT count(*) FROM ledger_entries")
        grants = await connection.fetchval("SELECT count(*) FROM grants")
        return int(books["wrong"]), int(books["balance"]), int(entries), int(grants)
    finally:
        await connection.close()


async def run(server: str, wallets: int) -> None:
    name = f"tally_bench_rollover_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    try:
        await asyncio.to_thread(upgrade, url)
        await seed(url, wallets)
        runtime = Runtime(
            Settings(environment="bench"), Database(url, pool_size=2), FrozenClock(BOUNDARY)
        )
        started = time.perf_counter()
        await wallet_jobs.roll_over(runtime)
        seconds = time.perf_counter() - started
        wrong, balance, entries, grants = await counts(url)
        # Of the 1,200 credits left: all expire; 600 carried (the cap), 600 expire; all carried.
        expected = sum((0, 600, 1200)[i % 3] for i in range(1, wallets + 1))
        assert wrong == 0, f"{wrong} wallets with inexact books"
        assert balance == expected, (balance, expected)
        await wallet_jobs.roll_over(runtime)  # the same boundary again
        assert (await counts(url))[2:] == (entries, grants), "a second run wrote something"
        await runtime.close()
        print(f"load average {os.getloadavg()[0]:.1f} (2 cores)")
        print(
            f"{wallets:,} wallets' boundary in one job run: {seconds:.1f} s "
            f"({wallets / seconds:,.0f} wallets/s, batches of {BATCH:,}); books exact; "
            f"a second run wrote nothing"
        )
        print(
            f"wallets={wallets} seconds={seconds:.2f} wallets_per_s={wallets / seconds:.0f} "
            f"entries={entries} grants={grants}"
        )
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--wallets", type=int, default=100_000)
    args = parser.parse_args()
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    asyncio.run(run(server, args.wallets))


if __name__ == "__main__":
    main()
