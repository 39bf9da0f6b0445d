"""The billing lookup (every ingest request, every entitlement) stays index lookups per
customer in the generic plan a prepared statement settles on after five runs: no hash join
over whole tables, whose cost would grow with every customer."""

from __future__ import annotations

from app.db.engine import Database, driver
from app.plans.lookup import BILLING


async def test_the_generic_plan_of_the_billing_lookup_joins_by_index(db: Database) -> None:
    async with db.sessions() as session:
        connection = await driver(session)
        await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        statement = await connection.prepare(f"EXPLAIN {BILLING}")
        plan = "\n".join(row[0] for row in await statement.fetch(["acme", "globex"]))
        await session.rollback()
    assert "Hash" not in plan, plan
    assert "Function Scan on unnest" in plan, plan
