"""Scenario S8: unused free credits expire at T as one `expiry` entry; paid credits stay."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.clock import FrozenClock
from app.runtime import Runtime
from app.wallets import service
from tests.conftest import START, GraphQLClient
from tests.core.support import burn, check_wallet, create_customer, grant

T = START + timedelta(days=30)

HISTORY = """
query($id: ID!) { wallet(id: $id) {
  balance
  expiries: ledgerEntries(kinds: [EXPIRY]) {
    nodes { kind credits balanceAfter description grant { id kind remaining } }
  }
  all: ledgerEntries { nodes { kind credits balanceAfter } }
  grants { nodes { id kind amount remaining } }
} }"""


async def _s8_wallet(gql: GraphQLClient, runtime: Runtime, name: str) -> tuple[int, str, str]:
    wallet_id = await create_customer(gql, name)
    free = await grant(gql, wallet_id, "1000", "bonus", kind="FREE", expiresAt=T.isoformat())
    paid = await grant(gql, wallet_id, "500", "bought", kind="PAID", cost="5.00")
    await burn(runtime, wallet_id, "200")
    return wallet_id, free["entry"]["grant"]["id"], paid["entry"]["grant"]["id"]


async def _sweep(runtime: Runtime) -> int:
    async with runtime.db.transaction() as session:
        return await service.expire_due(session, runtime.clock.now())


async def test_s8_sweep_at_t_writes_one_expiry_entry(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    wallet_id, free_id, paid_id = await _s8_wallet(gql, runtime, "s8")

    clock.set(T - timedelta(microseconds=1))
    assert await _sweep(runtime) == 0  # not yet

    clock.set(T)
    assert await _sweep(runtime) == 1
    assert await _sweep(runtime) == 0  # a second run finds nothing

    wallet = (await gql(HISTORY, id=str(wallet_id)))["wallet"]
    assert wallet["balance"] == "500"
    assert wallet["expiries"]["nodes"] == [
        {
            "kind": "EXPIRY",
            "credits": "-800",
            "balanceAfter": "500",
            "description": f"800 credits expired (manual grant #{free_id})",
            "grant": {"id": free_id, "kind": "FREE", "remaining": "0"},
        }
    ]
    assert [e["kind"] for e in wallet["all"]["nodes"]] == [
        "EXPIRY",
        "CONSUMPTION",
        "PURCHASE",
        "GRANT",
    ]
    grants = {g["id"]: g for g in wallet["grants"]["nodes"]}
    assert grants[paid_id]["remaining"] == "500"
    assert grants[free_id]["remaining"] == "0"
    await check_wallet(runtime.db, wallet_id)


async def test_s8_a_debit_after_t_expires_first_without_the_sweep(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    wallet_id, free_id, paid_id = await _s8_wallet(gql, runtime, "s8-lazy")
    clock.set(T + timedelta(hours=1))
    debit = await burn(runtime, wallet_id, "50")
    assert debit.balance_after == Decimal(450)

    wallet = (await gql(HISTORY, id=str(wallet_id)))["wallet"]
    assert [(e["kind"], e["credits"], e["balanceAfter"]) for e in wallet["all"]["nodes"]] == [
        ("CONSUMPTION", "-50", "450"),
        ("EXPIRY", "-800", "500"),
        ("CONSUMPTION", "-200", "1300"),
        ("PURCHASE", "500", "1500"),
        ("GRANT", "1000", "1000"),
    ]
    grants = {g["id"]: g["remaining"] for g in wallet["grants"]["nodes"]}
    assert grants == {free_id: "0", paid_id: "450"}
    assert await _sweep(runtime) == 0
    await check_wallet(runtime.db, wallet_id)


async def test_a_grant_after_t_expires_first_too(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    wallet_id, _, _ = await _s8_wallet(gql, runtime, "s8-grant")
    clock.set(T)
    topped = await grant(gql, wallet_id, "100", "later")
    assert topped["entry"]["balanceAfter"] == "600"
    wallet = (await gql(HISTORY, id=str(wallet_id)))["wallet"]
    assert [e["credits"] for e in wallet["expiries"]["nodes"]] == ["-800"]
    await check_wallet(runtime.db, wallet_id)


async def test_expiry_never_touches_debt(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    wallet_id = await create_customer(gql, "owes")
    await burn(runtime, wallet_id, "30")
    await grant(gql, wallet_id, "100", "pays", expiresAt=T.isoformat())  # 30 pays the debt
    clock.set(T)
    assert await _sweep(runtime) == 1
    figures = await check_wallet(runtime.db, wallet_id)
    assert (figures.balance, figures.debt) == (Decimal(0), Decimal(0))
    wallet = (await gql(HISTORY, id=str(wallet_id)))["wallet"]
    assert [e["credits"] for e in wallet["expiries"]["nodes"]] == ["-70"]
