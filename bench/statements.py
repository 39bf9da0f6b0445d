"""Statements and the revenue report over a year of a busy wallet's ledger.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres .venv/bin/python -m bench.statements

Creates a fresh database (dropped at the end), migrates it, and writes, set-based, one wallet's
year: ``--grants`` paid purchases (1,200 credits for 12.00 USD each, spread over the year,
each with its ledger entry) and ``--entries`` consumption entries (1 credit, one metric, each
drawing from the purchase of its period: one allocation each), plus ``--others`` other wallets
with a purchase and 100 debits each, so the report reads a whole ledger and not one wallet's.
Then times, on one session (median of ``--repeat`` runs): a month's statement, the whole
year's statement (365 days), a month's CSV, and the revenue report of the 12 months. Last line:
``statement_month_ms=… statement_year_ms=… csv_month_ms=… revenue_year_ms=… entries=…``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from app.db.engine import Database, plain_url
from app.db.migrate import upgrade
from app.wallets import revenue, statements

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
YEAR = timedelta(days=365)

CUSTOMERS = """
INSERT INTO customers (external_id, name, currency, billing_email, metadata, created_at,
                       updated_at)
SELECT 'bench-' || n, 'Bench ' || n, 'USD', 'b' || n || '@bench.test', '{}', $1, $1
FROM generate_series(0, $2) n
"""
WALLETS = """
INSERT INTO wallets (customer_id, currency, rate, policy, overdraft_limit, balance, debt,
                     reference_balance, created_at, updated_at)
SELECT id, 'USD', 0.01, 'allow', 0, 0, 0, 0, $1, $1 FROM customers
"""

GRANTS = """
INSERT INTO grants (wallet_id, kind, source, amount, remaining, priority, cost_minor,
                    description, created_at)
SELECT $1, 'paid', 'purchase', 1200, 1200 - $5, 50, 1200, 'bench',
       $2::timestamptz + g * $3::interval
FROM generate_series(0, $4 - 1) g
"""

PURCHASES = """
INSERT INTO ledger_entries (wallet_id, kind, credits, balance_after, grant_id, cause_type,
                            description, created_at)
SELECT wallet_id, 'purchase', amount, 0, id, 'api', '+1,200 paid credits', created_at
FROM grants WHERE wallet_id = $1
"""

DEBITS = """
WITH g AS (
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS n FROM grants WHERE wallet_id = $1
), e AS (
  INSERT INTO ledger_entries (wallet_id, kind, credits, balance_after, grant_id, cause_type,
                              cause_id, description, metric_code, units, unit_label, created_at)
  SELECT $1, 'consumption', -1, 0, NULL, 'event_batch', 'bench', '−1 credit · 1 call',
         'api_call', 1, 'calls', $2::timestamptz + (i + 0.5) * $3::interval
  FROM generate_series(0, $4 - 1) i
  RETURNING id, created_at
), numbered AS (
  SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM e
)
INSERT INTO ledger_allocations (entry_id, grant_id, credits)
SELECT numbered.id, g.id, 1 FROM numbered JOIN g ON g.n = numbered.i / $5
"""

BALANCES = """
UPDATE ledger_entries e SET balance_after = s.balance
FROM (SELECT id, sum(credits) OVER (PARTITION BY wallet_id ORDER BY created_at, id) AS balance
      FROM ledger_entries) s
WHERE s.id = e.id;
UPDATE wallets w SET balance = coalesce((SELECT sum(credits) FROM ledger_entries
                                         WHERE wallet_id = w.id), 0);
ANALYZE;
"""


async def seed(url: str, args: argparse.Namespace) -> int:
    connection = await asyncpg.connect(plain_url(url))
    try:
        await connection.execute(CUSTOMERS, YEAR_START, args.others)
        await connection.execute(WALLETS, YEAR_START)
        wallets = [r["id"] for r in await connection.fetch("SELECT id FROM wallets ORDER BY id")]
        busy, others = wallets[0], wallets[1:]
        per_grant = args.entries // args.grants
        await _wallet(connection, busy, args.grants, args.entries, per_grant)
        for wallet in others:
            await _wallet(connection, wallet, 1, 100, 100)
        for statement in BALANCES.strip().split(";\n"):
            await connection.execute(statement)
        count = await connection.fetchval(
            "SELECT count(*) FROM ledger_entries WHERE wallet_id = $1", busy
        )
        print(f"seeded: wallet {busy} with {count:,} ledger entries, {len(others)} other wallets")
        return int(busy)
    finally:
        await connection.close()


async def _wallet(
    connection: asyncpg.Connection, wallet: int, grants: int, entries: int, per_grant: int
) -> None:
    await connection.execute(GRANTS, wallet, YEAR_START, YEAR / grants, grants, per_grant)
    await connection.execute(PURCHASES, wallet)
    await connection.execute(DEBITS, wallet, YEAR_START, YEAR / entries, entries, per_grant)


async def timed(repeat: int, work: Callable[[], Awaitable[Any]]) -> float:
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        await work()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


async def measure(url: str, wallet: int, repeat: int) -> dict[str, float]:
    database = Database(url, pool_size=1)
    month = statements.period("2025-06", None, None)
    year = statements.Period(YEAR_START, YEAR_START + YEAR)
    months = revenue.check_range(date(2025, 1, 1), date(2025, 12, 1))
    now = YEAR_START + YEAR
    try:
        async with database.transaction() as session:
            found = await statements.statement(session, wallet, year)
            print(f"year: opening {found.opening}, closing {found.closing}, groups {found.groups}")
            report = await revenue.report(session, months, "USD", now)
            december = report[-1]
            print(f"revenue December: closing deferred {december.closing_deferred}")
            figures = {
                "statement_month_ms": await timed(
                    repeat, lambda: statements.statement(session, wallet, month)
                ),
                "statement_year_ms": await timed(
                    repeat, lambda: statements.statement(session, wallet, year)
                ),
            }
            monthly = await statements.statement(session, wallet, month)
            figures["csv_month_ms"] = await timed(
                repeat, lambda: statements.to_csv(session, monthly)
            )
            figures["revenue_year_ms"] = await timed(
                repeat, lambda: revenue.report(session, months, None, now)
            )
            return figures
    finally:
        await database.dispose()


async def main(args: argparse.Namespace) -> None:
    server = os.environ.get("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"tally_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(plain_url(server))
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = server.rsplit("/", 1)[0] + f"/{name}"
    print(f"load average before: {os.getloadavg()}; database {name}", flush=True)
    try:
        await asyncio.to_thread(upgrade, url)
        wallet = await seed(url, args)
        figures = await measure(url, wallet, args.repeat)
        print(f"load average after: {os.getloadavg()}")
        print(" ".join(f"{k}={v:.1f}" for k, v in figures.items()) + f" entries={args.entries}")
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--grants", type=int, default=100)
    parser.add_argument("--others", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    return parser.parse_args()


if __name__ == "__main__":
    asyncio.run(main(arguments()))
