"""Scenario S8: unused free credits expire at T as one `expiry` entry; paid credits stay."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx

from app.clock import FrozenClock
from app.db.engine import Database
from app.runtime import Runtime
from app.wallets import service
from tests.conftest import START, GraphQLClient
from tests.core.support import burn, check_wallet, create_customer, grant
from tests.metering.support import create_metric, create_plan, ingest, subscribe

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


BACKDATED = """query($id: ID!) { wallet(id: $id) { balance
  ledgerEntries(first: 10) { nodes { kind credits allocations { credits grant { kind } } } }
} }"""


async def test_backdated_usage_draws_from_what_remains_when_it_arrives(
    gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime, clock: FrozenClock
) -> None:
    """Usage dated before a grant's expiry that arrives after it is debited when it arrives,
    from the grants valid then: the grant has expired in full (an expiry, once in the ledger,
    is never reopened), and the outcome is the same whether the sweep expired the grant before
    the event came ("swept") or the debit does it first ("unswept")."""
    await create_metric(gql, "call", singular="call", plural="calls")
    await create_plan(gql, "calls", [{"metricCode": "call", "creditPrice": "1"}])
    expiries = {"swept": START + timedelta(hours=1), "unswept": START + timedelta(hours=2)}
    wallets = {}
    for name, expires in expiries.items():
        wallets[name] = await create_customer(gql, name)
        free = {"kind": "FREE", "expiresAt": expires.isoformat()}
        await grant(gql, wallets[name], "100", f"{name}-free", **free)
        await grant(gql, wallets[name], "100", f"{name}-paid", kind="PAID")
        await subscribe(gql, name, "calls")

    found = {}
    for name, expires in expiries.items():
        clock.set(expires + timedelta(minutes=1))
        if name == "swept":
            assert await _sweep(runtime) == 1
        used_at = (expires - timedelta(minutes=1)).isoformat()
        events = [
            {
                "transaction_id": f"{name}-{n}",
                "customer_external_id": name,
                "metric_code": "call",
                "timestamp": used_at,
            }
            for n in range(10)
        ]
        assert (await ingest("http", gql, http, events))["accepted"] == 10
        found[name] = (await gql(BACKDATED, id=str(wallets[name])))["wallet"]
        await check_wallet(runtime.db, wallets[name])

    assert found["swept"] == found["unswept"]
    assert found["swept"]["balance"] == "90"
    consumption, expiry = found["swept"]["ledgerEntries"]["nodes"][:2]
    assert (expiry["kind"], expiry["credits"]) == ("EXPIRY", "-100")
    assert (consumption["kind"], consumption["credits"]) == ("CONSUMPTION", "-10")
    assert consumption["allocations"] == [{"credits": "10", "grant": {"kind": "PAID"}}]


async def test_a_grant_equal_to_what_just_expired_keeps_the_balance_exact(
    gql: GraphQLClient, db: Database, clock: FrozenClock
) -> None:
    """A grant first expires the wallet's due credits in SQL, then adds itself: when the new
    balance equals the one the wallet was read with (10 expired, 10 granted), the grant must
    still write it, or the stored balance keeps the expiry's lower figure (found by the
    concurrency matrix: the balance 10 below its ledger)."""
    wallet_id = await create_customer(gql, "same-amount")
    await grant(gql, wallet_id, "100", "base")
    soon = clock.now() + timedelta(seconds=1)
    await grant(gql, wallet_id, "10", "short", expiresAt=soon.isoformat())
    clock.set(soon)
    await grant(gql, wallet_id, "10", "again")

    figures = await check_wallet(db, wallet_id)
    assert figures.balance == Decimal(110)
