"""No N+1: the number of SQL statements a query runs does not grow with the number of rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import burn, create_customer, grant

LOADER_FIELDS = """
query($first: Int!) { customers(first: $first) { nodes {
  name
  wallets { balance customer { name wallets { id } } }
  wallet { currency }
} } }"""

NESTED = """
query($first: Int!) { customers(first: $first) { nodes {
  wallets {
    customer { name }
    grants(first: 5) { nodes { id cost { amount } } }
    ledgerEntries(first: 5) { nodes {
      id grant { id kind }
      allocations { credits grant { id remaining } }
    } }
  }
} } }"""


@contextmanager
def counting(runtime: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _populate(gql: GraphQLClient, runtime: Runtime, start: int, count: int) -> None:
    for i in range(start, start + count):
        wallet_id = await create_customer(gql, f"c{i:02}")
        await grant(gql, wallet_id, "10", "free")
        await grant(gql, wallet_id, "20", "paid", kind="PAID", cost="0.20")
        await burn(runtime, wallet_id, "15")


async def _statements(gql: GraphQLClient, runtime: Runtime, query: str) -> list[str]:
    with counting(runtime) as statements:
        data = await gql(query, first=50)
    assert data["customers"]["nodes"]
    return statements


async def test_statement_count_does_not_grow_with_customers(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await _populate(gql, runtime, 0, 3)
    few = {q: await _statements(gql, runtime, q) for q in (LOADER_FIELDS, NESTED)}
    await _populate(gql, runtime, 3, 17)
    many = {q: await _statements(gql, runtime, q) for q in (LOADER_FIELDS, NESTED)}

    for query in (LOADER_FIELDS, NESTED):
        assert len(many[query]) == len(few[query]), "\n".join(many[query])
    # One statement per kind of row, plus the API-key lookup (and, for balances, one for the
    # credits of every wallet that expired at the moment: ``app.wallets.balances``).
    assert len(many[LOADER_FIELDS]) <= 5, "\n".join(many[LOADER_FIELDS])
    assert len(many[NESTED]) <= 9, "\n".join(many[NESTED])


async def test_nested_results_are_right(gql: GraphQLClient, runtime: Runtime) -> None:
    await _populate(gql, runtime, 0, 2)
    data = await gql(NESTED, first=50)
    for node in data["customers"]["nodes"]:
        [wallet] = node["wallets"]
        assert len(wallet["grants"]["nodes"]) == 2
        assert [g["cost"] for g in wallet["grants"]["nodes"]] == [None, {"amount": "0.20"}]
        consumption, paid, free = wallet["ledgerEntries"]["nodes"]
        assert consumption["grant"] is None
        assert [a["credits"] for a in consumption["allocations"]] == ["10", "5"]
        assert paid["grant"]["kind"] == "PAID" and free["grant"]["kind"] == "FREE"
        assert paid["allocations"] == []
