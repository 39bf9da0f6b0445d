"""Burn order: lower priority first, then earliest expiry, then free before paid, then oldest.
Each debit records how much it drew from each grant, visible through GraphQL in burn order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import START, GraphQLClient
from tests.core.support import burn, check_wallet, create_customer, grant

WALLET = """
query($id: ID!) { wallet(id: $id) {
  balance
  grants(first: 20) { nodes { id kind remaining } }
  ledgerEntries(kinds: [CONSUMPTION], first: 20) {
    nodes { credits allocations { credits grant { id } } }
  }
} }"""


async def _grant_id(gql: GraphQLClient, wallet_id: int, key: str, **options: Any) -> str:
    result = await grant(gql, wallet_id, "10", key, **options)
    assert result["__typename"] == "LedgerEntryPayload", result
    grant_id: str = result["entry"]["grant"]["id"]
    return grant_id


def _in_days(days: int) -> str:
    return (START + timedelta(days=days)).isoformat()


async def test_debits_draw_from_grants_in_burn_order(gql: GraphQLClient, runtime: Runtime) -> None:
    wallet_id = await create_customer(gql, "order")
    paid_old = await _grant_id(gql, wallet_id, "a", kind="PAID")
    free_old = await _grant_id(gql, wallet_id, "b", kind="FREE")
    paid_soon = await _grant_id(gql, wallet_id, "c", kind="PAID", expiresAt=_in_days(5))
    free_later = await _grant_id(gql, wallet_id, "d", kind="FREE", expiresAt=_in_days(10))
    paid_first = await _grant_id(gql, wallet_id, "e", kind="PAID", priority=10)
    free_new = await _grant_id(gql, wallet_id, "f", kind="FREE")
    paid_same_expiry = await _grant_id(gql, wallet_id, "g", kind="PAID", expiresAt=_in_days(10))

    # Expected order: priority 10; then expiring in 5 days; then in 10 days (free before paid);
    # then no expiry: free before paid, older before newer.
    await burn(runtime, wallet_id, "15")
    await burn(runtime, wallet_id, "25")
    await burn(runtime, wallet_id, "22.5")

    data = await gql(WALLET, id=str(wallet_id))
    wallet = data["wallet"]
    drawn = [
        [(a["grant"]["id"], Decimal(a["credits"])) for a in entry["allocations"]]
        for entry in reversed(wallet["ledgerEntries"]["nodes"])
    ]
    assert drawn == [  # in burn order, as documented (not in the grants' id order)
        [(paid_first, Decimal(10)), (paid_soon, Decimal(5))],
        [(paid_soon, Decimal(5)), (free_later, Decimal(10)), (paid_same_expiry, Decimal(10))],
        [(free_old, Decimal(10)), (free_new, Decimal(10)), (paid_old, Decimal("2.5"))],
    ]
    remaining = {g["id"]: Decimal(g["remaining"]) for g in wallet["grants"]["nodes"]}
    assert remaining == {
        paid_first: 0,
        paid_soon: 0,
        free_later: 0,
        paid_same_expiry: 0,
        free_old: 0,
        free_new: 0,
        paid_old: Decimal("7.5"),
    }
    assert Decimal(wallet["balance"]) == Decimal("7.5")
    await check_wallet(runtime.db, wallet_id)


async def test_allocations_add_up_and_debt_is_not_allocated(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await create_customer(gql, "short")
    only = await _grant_id(gql, wallet_id, "only", kind="FREE")
    debit = await burn(runtime, wallet_id, "12.345678")
    assert debit.balance_after == Decimal("-2.345678")

    data = await gql(WALLET, id=str(wallet_id))
    entry = data["wallet"]["ledgerEntries"]["nodes"][0]
    assert entry["credits"] == "-12.345678"
    assert entry["allocations"] == [{"credits": "10", "grant": {"id": only}}]
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.debt == Decimal("2.345678")


async def test_expired_grants_are_skipped(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    wallet_id = await create_customer(gql, "skips")
    await _grant_id(gql, wallet_id, "soon", kind="FREE", priority=0, expiresAt=_in_days(1))
    later = await _grant_id(gql, wallet_id, "later", kind="PAID")
    clock.advance(timedelta(days=2))
    await burn(runtime, wallet_id, "4")
    data = await gql(WALLET, id=str(wallet_id))
    entry = data["wallet"]["ledgerEntries"]["nodes"][0]
    assert entry["allocations"] == [{"credits": "4", "grant": {"id": later}}]
    await check_wallet(runtime.db, wallet_id)
