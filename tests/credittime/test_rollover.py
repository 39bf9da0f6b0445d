"""Rollover policies at a wallet's period boundaries, through GraphQL and the scheduler's job,
with the clock moved by the test. The wallet is created at START (15 Jan 2026 12:00 UTC): its
boundaries are 15 Feb, 15 Mar, … at 12:00."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from app.clock import FrozenClock
from app.db.engine import Database
from app.runtime import Runtime
from app.wallets import expire_due
from tests.conftest import START, GraphQLClient
from tests.core.support import burn, check_wallet, count_rows, create_customer, grant
from tests.credittime.support import history, roll_over, set_policy
from tests.metering.support import create_plan, subscribe

FEB = datetime.fromisoformat("2026-02-15T12:00:00+00:00")
MAR = datetime.fromisoformat("2026-03-15T12:00:00+00:00")


def _moves(wallet: dict[str, Any], since: int) -> list[tuple[str, str, str, str | None]]:
    return [
        (e["kind"], e["credits"], e["balanceAfter"], (e["grant"] or {}).get("id"))
        for e in wallet["entries"][since:]
    ]


async def test_expire_at_period_end_expires_what_is_left_at_the_boundary_once(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock, db: Database
) -> None:
    wallet_id = await create_customer(gql, "use-it")
    result = await set_policy(gql, wallet_id, policy="EXPIRE_AT_PERIOD_END")
    assert result["wallet"]["nextBoundary"] == FEB.isoformat()
    await grant(gql, wallet_id, "1000", "free", kind="FREE")
    await grant(gql, wallet_id, "500", "paid", kind="PAID", cost="5.00")
    await burn(runtime, wallet_id, "300")

    clock.set(FEB - timedelta(microseconds=1))
    await roll_over(runtime)
    assert (await history(gql, wallet_id))["balance"] == "1200"

    clock.set(FEB + timedelta(seconds=40))  # the scheduler's next minute
    await roll_over(runtime)
    wallet = await history(gql, wallet_id)
    assert wallet["balance"] == "0"
    assert _moves(wallet, 3) == [("EXPIRY", "-700", "500", "1"), ("EXPIRY", "-500", "0", "2")]
    assert [e["createdAt"] for e in wallet["entries"][3:]] == [FEB.isoformat()] * 2
    assert wallet["entries"][3]["description"] == (
        "700 free credits expired at the period end: use it or lose it (manual grant #1)"
    )
    entries = await count_rows(db, "ledger_entries")
    await roll_over(runtime)  # the same boundary again: nothing
    clock.set(FEB + timedelta(minutes=5))
    await roll_over(runtime)
    assert await count_rows(db, "ledger_entries") == entries
    assert (await set_policy(gql, wallet_id, policy="EXPIRE_AT_PERIOD_END"))["wallet"][
        "nextBoundary"
    ] == MAR.isoformat()
    await check_wallet(db, wallet_id)


async def test_rollover_with_expiry_and_a_cap_carries_the_oldest_credits_first(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock, db: Database
) -> None:
    wallet_id = await create_customer(gql, "carry")
    result = await set_policy(gql, wallet_id, policy="ROLLOVER_WITH_EXPIRY", months=2, cap="1000")
    assert result["wallet"]["rolloverCap"] == "1000"
    await grant(gql, wallet_id, "1000", "free", kind="FREE")
    clock.set(START + timedelta(days=1))
    await grant(gql, wallet_id, "800", "paid", kind="PAID", cost="8.00")
    await burn(runtime, wallet_id, "100")  # from the free grant: 900 left

    clock.set(FEB)
    await roll_over(runtime)
    wallet = await history(gql, wallet_id)
    assert wallet["balance"] == "1000"
    # FIFO by first grant: the 900 free fit under the cap, then 100 of the 800 paid.
    assert _moves(wallet, 3) == [
        ("ROLLOVER", "-900", "800", "1"),
        ("ROLLOVER", "900", "1700", "3"),
        ("EXPIRY", "-700", "1000", "2"),
        ("ROLLOVER", "-100", "900", "2"),
        ("ROLLOVER", "100", "1000", "4"),
    ]
    assert wallet["entries"][4]["description"] == (
        "+900 free credits rolled over from grant #1 · expire 15 Mar 2026"
    )
    assert wallet["entries"][5]["description"] == (
        "700 paid credits expired at the period end: above the rollover cap of 1000 credits"
        " (manual grant #2)"
    )
    free, paid = wallet["grants"][2:]
    assert (free["kind"], free["source"], free["remaining"], free["rolledFrom"]) == (
        "FREE",
        "ROLLOVER",
        "900",
        "1",
    )
    assert free["expiresAt"] == MAR.isoformat()  # 2 months after 15 Jan, not after the rollover
    assert free["cost"] is None
    assert (paid["kind"], paid["remaining"], paid["cost"]) == ("PAID", "100", {"amount": "1.00"})
    assert paid["expiresAt"] == (START + timedelta(days=1)).replace(month=3).isoformat()

    # 15 Mar: the free rollover grant expires (its own date); the paid one, alive until
    # 16 Mar, fits under the cap and stays as it is: no new grant.
    clock.set(MAR)
    await roll_over(runtime)
    async with runtime.db.transaction() as session:
        await expire_due(session, clock.now())
    wallet = await history(gql, wallet_id)
    assert wallet["balance"] == "100"
    assert _moves(wallet, 8) == [("EXPIRY", "-900", "100", "3")]
    assert len(wallet["grants"]) == 4
    await check_wallet(db, wallet_id)


async def test_a_grant_overrides_the_wallet_policy(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock, db: Database
) -> None:
    wallet_id = await create_customer(gql, "override")
    await set_policy(gql, wallet_id, policy="EXPIRE_AT_PERIOD_END")
    await grant(gql, wallet_id, "300", "lose", kind="FREE")
    kept = await grant(gql, wallet_id, "200", "keep", kind="PAID", rolloverPolicy="ROLLOVER")
    assert kept["__typename"] == "LedgerEntryPayload", kept

    clock.set(MAR + timedelta(minutes=1))  # two boundaries passed; one job run does both
    await roll_over(runtime)
    wallet = await history(gql, wallet_id)
    assert wallet["balance"] == "200"
    assert _moves(wallet, 2) == [
        ("EXPIRY", "-300", "200", "1"),
        ("ROLLOVER", "-200", "0", "2"),
        ("ROLLOVER", "200", "200", "3"),
    ]
    carried = wallet["grants"][2]
    assert (carried["expiresAt"], carried["rolloverPolicy"]) == (None, "ROLLOVER")
    await check_wallet(db, wallet_id)


async def test_a_debit_after_the_boundary_processes_it_first_at_its_moment(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock, db: Database
) -> None:
    wallet_id = await create_customer(gql, "exact")
    await set_policy(gql, wallet_id, policy="EXPIRE_AT_PERIOD_END")
    await grant(gql, wallet_id, "100", "before", kind="FREE")
    clock.set(FEB + timedelta(seconds=5))  # before any sweep
    await grant(gql, wallet_id, "50", "after", kind="FREE")
    await burn(runtime, wallet_id, "80")  # the 100 are gone: 30 of debt
    wallet = await history(gql, wallet_id)
    assert _moves(wallet, 1) == [
        ("EXPIRY", "-100", "0", "1"),
        ("GRANT", "50", "50", "2"),
        ("CONSUMPTION", "-80", "-30", None),
    ]
    assert wallet["entries"][1]["createdAt"] == FEB.isoformat()
    assert wallet["balance"] == "-30"
    await roll_over(runtime)  # nothing left to do
    assert len((await history(gql, wallet_id))["entries"]) == 4
    await check_wallet(db, wallet_id)


async def test_bad_input_names_the_field_and_writes_nothing(
    gql: GraphQLClient, runtime: Runtime, db: Database
) -> None:
    wallet_id = await create_customer(gql, "bad")
    cases = [
        ({"policy": "ROLLOVER", "cap": "-1"}, "cap", "must not be negative"),
        ({"policy": "ROLLOVER_WITH_EXPIRY", "months": 0}, "months", "must be between 1 and 1200"),
        ({"policy": "ROLLOVER_WITH_EXPIRY", "months": -3}, "months", "must be between 1 and 1200"),
        ({"policy": "ROLLOVER_WITH_EXPIRY"}, "months", "is required with rollover_with_expiry"),
        ({"policy": "ROLLOVER", "months": 2}, "months", "only applies to rollover_with_expiry"),
        (
            {"policy": "EXPIRE_AT_PERIOD_END", "cap": "5"},
            "cap",
            "only applies when credits roll over",
        ),
        ({"policy": None, "cap": "5"}, "policy", "is required with months or a cap"),
    ]
    for extra, field, message in cases:
        result = await set_policy(gql, wallet_id, **extra)
        assert (result["__typename"], result["field"], result["message"]) == (
            "ValidationError",
            field,
            message,
        ), extra
    bad = await grant(
        gql, wallet_id, "10", "g", rolloverPolicy="ROLLOVER_WITH_EXPIRY", rolloverMonths=0
    )
    assert (bad["__typename"], bad["field"]) == ("ValidationError", "rolloverMonths")
    bad = await grant(gql, wallet_id, "10", "h", rolloverPolicy="ROLLOVER", rolloverCap="-2")
    assert (bad["__typename"], bad["field"]) == ("ValidationError", "rolloverCap")
    wallet = (await set_policy(gql, wallet_id, policy=None))["wallet"]
    assert (wallet["rolloverPolicy"], wallet["rolloverCap"]) == (None, None)
    assert await count_rows(db, "grants") == 0


async def test_the_subscription_s_periods_are_the_wallet_s(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock, db: Database
) -> None:
    wallet_id = await create_customer(gql, "yearly")
    await create_plan(gql, "annual", [], interval="YEARLY")
    anchor = datetime.fromisoformat("2026-01-01T00:00:00+00:00")
    await subscribe(gql, "yearly", "annual", anchor=anchor.isoformat())
    result = await set_policy(gql, wallet_id, policy="EXPIRE_AT_PERIOD_END")
    assert result["wallet"]["periodMonths"] == 12
    assert result["wallet"]["nextBoundary"] == "2027-01-01T00:00:00+00:00"
    await grant(gql, wallet_id, "100", "g", kind="FREE")
    clock.set(MAR)  # a month boundary of the wallet's creation: nothing for a yearly wallet
    await roll_over(runtime)
    assert (await history(gql, wallet_id))["balance"] == "100"
    await check_wallet(db, wallet_id)
