"""Top-ups that meet other changes of their wallet: a wallet that does not exist, a
subscription being suspended, a second top-up while one is pending, an auto-recharge crossing
during a manual top-up. Each answer is typed, and nothing is charged twice or bought twice."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import check_wallet, count_rows, grant, void
from tests.metering.support import create_metric, create_plan, subscribe
from tests.payments.support import (
    balance,
    customer_with_method,
    recharge,
    rows,
    set_rule,
    settle_all,
    top_up,
)
from workers.system import JobSystem

OPTIONS = """mutation($input: SetTopUpOptionsInput!) { setTopUpOptions(input: $input) {
  __typename } }"""
SUSPEND = """mutation($id: ID!) { suspendSubscription(id: $id) {
  __typename ... on SubscriptionPayload { subscription { status } } } }"""


async def _charged_once(runtime: Runtime) -> list[tuple[str, str, Decimal]]:
    """Every recharge as (trigger, status, credits); each invoiced one has one payment, charged
    once, and a succeeded one was granted once."""
    found = await rows(
        runtime.db,
        "SELECT r.trigger, r.status, r.credits, r.invoice_id, "
        " (SELECT count(*) FROM payments p WHERE p.invoice_id = r.invoice_id) AS payments, "
        " (SELECT max(p.attempts) FROM payments p WHERE p.invoice_id = r.invoice_id) AS tries, "
        " (SELECT count(*) FROM ledger_entries e WHERE e.kind = 'purchase'"
        "   AND e.cause_id = r.invoice_id::text) AS grants "
        "FROM recharges r ORDER BY r.id",
    )
    for r in found:
        if r.invoice_id is not None:
            assert (r.payments, r.tries) == (1, 1), r
        assert r.grants == (1 if r.status == "succeeded" else 0), r
    return [(r.trigger, r.status, r.credits) for r in found]


async def test_a_top_up_for_a_wallet_that_is_not_there_is_refused(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await customer_with_method(gql, "acme")
    for wallet_id in (999_999, "x"):
        answer = await top_up(gql, wallet_id, "k", credits="500")  # type: ignore[arg-type]
        assert (answer["__typename"], answer["field"]) == ("NotFoundError", "walletId"), answer
    assert await count_rows(runtime.db, "recharges") == 0


async def test_a_top_up_while_the_subscription_is_being_suspended(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    """Buying credits stays open to a suspended customer (credits can pay what is overdue)."""
    wallet_id = await customer_with_method(gql, "acme")
    await create_metric(gql, "call")
    await create_plan(gql, "calls", [{"metricCode": "call", "creditPrice": "1"}])
    subscription_id = await subscribe(gql, "acme", "calls")
    bought, suspended = await asyncio.gather(
        top_up(gql, wallet_id, "k", credits="500"),
        gql(SUSPEND, id=subscription_id),
    )
    assert bought["__typename"] == "RechargePayload", bought
    assert suspended["suspendSubscription"]["subscription"]["status"] == "SUSPENDED"
    again = await top_up(gql, wallet_id, "k2", credits="500")  # and once suspended
    assert again["__typename"] == "RechargePayload", again
    await settle_all(database_url, jobs, clock)
    assert await _charged_once(runtime) == [
        ("manual", "succeeded", Decimal(500)),
        ("manual", "succeeded", Decimal(500)),
    ]
    assert await balance(gql, wallet_id) == Decimal(1000)


async def test_a_second_top_up_while_the_first_is_pending(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    """Another key is another purchase; the same key, the same one — each charged once."""
    wallet_id = await customer_with_method(gql, "acme")
    first = await top_up(gql, wallet_id, "first", credits="500")
    assert first["recharge"]["status"] == "PENDING"
    second = await top_up(gql, wallet_id, "second", credits="300")
    replay = await top_up(gql, wallet_id, "first", credits="500")
    assert second["__typename"] == "RechargePayload", second
    assert second["recharge"]["id"] != first["recharge"]["id"]
    assert replay["recharge"]["id"] == first["recharge"]["id"]
    await settle_all(database_url, jobs, clock)
    assert await _charged_once(runtime) == [
        ("manual", "succeeded", Decimal(500)),
        ("manual", "succeeded", Decimal(300)),
    ]
    assert await balance(gql, wallet_id) == Decimal(800)
    await check_wallet(runtime.db, wallet_id)


async def _rule_at_100(gql: GraphQLClient, wallet_id: int, method: str, credits: str) -> None:
    rule = await set_rule(
        gql, wallet_id, trigger="THRESHOLD", method=method, credits=credits, threshold="100"
    )
    assert rule["__typename"] == "AutoRechargeRulePayload", rule


async def test_an_auto_recharge_a_manual_top_up_made_unneeded_is_skipped(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    options = await gql(OPTIONS, input={"walletId": str(wallet_id), "grantBeforePayment": True})
    assert options["setTopUpOptions"]["__typename"] == "TopUpOptionsPayload"
    await grant(gql, wallet_id, "150", "seed")
    await _rule_at_100(gql, wallet_id, "FIXED", "500")
    await void(gql, wallet_id, "60", "v")  # 90: an auto-recharge starts (its job not run yet)
    bought = await top_up(gql, wallet_id, "manual", credits="1000")  # lands at once: 1,090
    assert bought["recharge"]["grantedAt"] is not None
    await settle_all(database_url, jobs, clock)

    assert await _charged_once(runtime) == [
        ("threshold", "skipped", Decimal(500)),
        ("manual", "succeeded", Decimal(1000)),
    ]
    [(reason,)] = await rows(runtime.db, "SELECT failure_reason FROM recharges WHERE rule_id > 0")
    assert reason == "the balance is above the threshold again"
    assert await balance(gql, wallet_id) == Decimal(1090)
    await check_wallet(runtime.db, wallet_id)


async def test_a_target_recharge_buys_for_the_balance_when_it_runs(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "150", "seed")
    await _rule_at_100(gql, wallet_id, "TARGET", "1000")
    await void(gql, wallet_id, "100", "v")  # 50: a recharge of 950 starts
    await grant(gql, wallet_id, "30", "more")  # 80: still at the threshold, 920 to the target
    await settle_all(database_url, jobs, clock)
    assert await _charged_once(runtime) == [("threshold", "succeeded", Decimal(920))]
    assert await balance(gql, wallet_id) == Decimal(1000)


async def test_a_manual_top_up_and_an_auto_recharge_crossing_at_once(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    """Whichever lands first, each purchase is charged once and credited once, and the
    auto-recharge goes ahead only if the balance still calls for it when its job runs."""
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "150", "seed")
    await _rule_at_100(gql, wallet_id, "FIXED", "500")
    bought, crossed = await asyncio.gather(
        top_up(gql, wallet_id, "manual", credits="1000"),
        void(gql, wallet_id, "60", "v"),
    )
    assert (bought["__typename"], crossed["__typename"]) == (
        "RechargePayload",
        "LedgerEntryPayload",
    )
    await settle_all(database_url, jobs, clock)
    found = await _charged_once(runtime)
    manual = [r for r in found if r[0] == "manual"]
    automatic = [r for r in found if r[0] == "threshold"]
    assert manual == [("manual", "succeeded", Decimal(1000))]
    assert len(automatic) == 1 and automatic[0][1] in ("succeeded", "skipped"), automatic
    bought_credits = sum(r[2] for r in found if r[1] == "succeeded")
    assert await balance(gql, wallet_id) == 90 + bought_credits
    done = await recharge(gql, bought["recharge"]["id"])
    assert done["invoice"]["status"] == "PAID"
    await check_wallet(runtime.db, wallet_id)
