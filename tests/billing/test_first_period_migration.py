"""Migration 0009 moves the rows of a first period to the subscription's start, and back.

Built through the API at head, then migrated down one step (the old keys: the anchor's period
start, before the subscription existed) and up again; the period is then invoiced as any other.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
from alembic import command
from alembic.script import ScriptDirectory

from app.clock import FrozenClock
from app.db.migrate import alembic_config, upgrade
from app.runtime import Runtime
from tests.billing.support import amounts, create_plan, invoices, send, subscription, tick
from tests.conftest import GraphQLClient
from tests.metering.support import create_metric, subscribe
from tests.payments.support import customer_with_method, rows
from workers.system import JobSystem

KEYS = """
SELECT 'usage', subscription_id, period_start FROM subscription_usage
UNION ALL SELECT 'unique', subscription_id, period_start FROM usage_unique_values
UNION ALL SELECT 'period', subscription_id, period_start FROM billing_periods
ORDER BY 1, 2
"""


def downgraded(url: str) -> None:
    config = alembic_config(url)
    before = ScriptDirectory.from_config(config).get_revision("0009").down_revision
    assert isinstance(before, str)
    command.downgrade(config, before)


async def keys(runtime: Runtime) -> list[tuple[str, int, str]]:
    found = await rows(runtime.db, KEYS)
    return [(kind, subscription_id, start.isoformat()) for kind, subscription_id, start in found]


async def test_first_period_rows_move_to_the_start_and_back(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "users", "UNIQUE_COUNT", singular="user", plural="users", prop="u")
    await create_plan(
        gql,
        code="seats",
        name="Seats",
        baseFee="31.00",
        moneyCharges=[{"metricCode": "users", "unitPrice": "2.00"}],
    )
    for customer in ("acme", "beta"):
        await customer_with_method(gql, customer)
    # acme: calendar months from 15 Jan 12:00 (its first period: to 1 Feb); beta: anniversary.
    acme = await subscribe(
        gql, "acme", "seats", anchor=datetime(2026, 2, 1, tzinfo=UTC).isoformat()
    )
    beta = await subscribe(gql, "beta", "seats")
    users = [
        {
            "transaction_id": f"{c}-{n}",
            "customer_external_id": c,
            "metric_code": "users",
            "properties": {"u": f"user-{n}"},
        }
        for c in ("acme", "beta")
        for n in range(3)
    ]
    await send("http", gql, http, users)
    start = "2026-01-15T12:00:00+00:00"
    now = [
        (kind, int(s), start)
        for kind in ("period", "unique", "usage")
        for s in (acme, beta)
        for _ in range(3 if kind == "unique" else 1)
    ]
    assert await keys(runtime) == now

    await asyncio.to_thread(downgraded, database_url)
    old = [(k, s, "2026-01-01T00:00:00+00:00" if s == int(acme) else t) for k, s, t in now]
    assert await keys(runtime) == old
    await asyncio.to_thread(upgrade, database_url)
    assert await keys(runtime) == now

    found = await subscription(gql, acme)
    assert found["billingPeriod"]["usage"]["amount"] == "6.00"
    clock.set(datetime.fromisoformat(found["currentPeriodEnd"]))
    await tick(runtime, database_url, jobs, clock)
    [closing] = await invoices(gql, "PERIOD_END", acme)
    # 17 of 31 days (15 Jan to 31 Jan) of 31.00, and 3 users × 2.00.
    assert amounts(closing) == ["17.00", "6.00"]
    assert closing["periodStart"] == start
