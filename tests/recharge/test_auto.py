"""Auto-recharge end to end: rules set through GraphQL, usage burned in transactions, the
jobs run by the embedded worker, the clock moved by the test."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import burn, check_wallet, count_rows, grant
from tests.payments.support import (
    RULE,
    balance,
    customer_with_method,
    jobs_for,
    rows,
    set_rule,
    settle_all,
)
from workers.scheduler import Scheduler
from workers.system import JobSystem

COOLDOWN = timedelta(minutes=11)


async def _recharges(runtime: Runtime) -> list[tuple[str, str, Decimal]]:
    found = await rows(runtime.db, "SELECT trigger, status, credits FROM recharges ORDER BY id")
    return [tuple(r) for r in found]


async def _invoice_totals(runtime: Runtime) -> list[int]:
    found = await rows(runtime.db, "SELECT total_minor FROM invoices ORDER BY id")
    return [r[0] for r in found]


async def _threshold_rule(gql: GraphQLClient, wallet_id: int, **extra: object) -> None:
    rule = {
        "trigger": "THRESHOLD",
        "method": "FIXED",
        "threshold": "1000",
        "credits": "5000",
        **extra,
    }
    answer = await set_rule(gql, wallet_id, **rule)
    assert answer["__typename"] == "AutoRechargeRulePayload", answer


async def test_s4_one_recharge_with_discount_at_the_threshold(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "6000", "start")
    await _threshold_rule(gql, wallet_id, discountPercent="5")

    await burn(runtime, wallet_id, "5050")  # 950
    assert await _recharges(runtime) == [("threshold", "pending", Decimal(5000))]
    await settle_all(database_url, jobs, clock)
    assert await _recharges(runtime) == [("threshold", "succeeded", Decimal(5000))]
    assert await _invoice_totals(runtime) == [4750]  # 47.50 USD
    [line] = await rows(
        runtime.db,
        "SELECT description, quantity, unit_price, discount_percent, amount_minor "
        "FROM invoice_lines",
    )
    assert tuple(line) == (
        "5,000 credits · auto-recharge (threshold) · 5% discount",
        Decimal(5000),
        Decimal("0.01"),
        Decimal(5),
        4750,
    )
    [invoice] = await rows(runtime.db, "SELECT status, payment_status FROM invoices")
    assert tuple(invoice) == ("paid", "succeeded")
    assert await balance(gql, wallet_id) == Decimal(5950)
    wallet = await gql(
        """query($id: ID!) { wallet(id: $id) { referenceBalance } }""", id=str(wallet_id)
    )
    assert Decimal(wallet["wallet"]["referenceBalance"]) == Decimal(5950)  # alerts re-arm
    await check_wallet(runtime.db, wallet_id)


async def test_a_balance_at_the_threshold_recharges_too(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "2000", "start")
    await _threshold_rule(gql, wallet_id)
    await burn(runtime, wallet_id, "999")  # 1,001: above
    assert await _recharges(runtime) == []
    await burn(runtime, wallet_id, "1")  # 1,000: "balance ≤ X"
    await settle_all(database_url, jobs, clock)
    assert await balance(gql, wallet_id) == Decimal(6000)


async def test_s4_fifty_burns_while_the_payment_is_in_flight_start_no_second_recharge(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "2000", "start")
    await _threshold_rule(gql, wallet_id, discountPercent="5", cooldownSeconds=0)
    await burn(runtime, wallet_id, "1050")  # 950: the recharge starts in this transaction
    assert len(await jobs_for(runtime.db, "recharge.start")) == 1
    for _ in range(50):
        await burn(runtime, wallet_id, "1")
    assert len(await _recharges(runtime)) == 1
    await settle_all(database_url, jobs, clock)
    assert await _recharges(runtime) == [("threshold", "succeeded", Decimal(5000))]
    assert await _invoice_totals(runtime) == [4750]
    assert await count_rows(runtime.db, "payments") == 1
    assert await balance(gql, wallet_id) == Decimal(5900)  # 950 − 50 + 5,000


async def test_s5_a_deep_deficit_is_closed_by_one_charge(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", policy="ALLOW")
    await burn(runtime, wallet_id, "3000")  # balance −3,000 (debt)
    answer = await set_rule(
        gql, wallet_id, trigger="THRESHOLD", method="TARGET", threshold="0", credits="10000"
    )
    assert answer["rule"]["enabled"] is True
    await settle_all(database_url, jobs, clock)  # the rule starts at once: the balance is low
    assert await _recharges(runtime) == [("threshold", "succeeded", Decimal(13000))]
    assert await _invoice_totals(runtime) == [13000]  # 130.00 USD
    assert await count_rows(runtime.db, "payments") == 1
    assert await balance(gql, wallet_id) == Decimal(10000)
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.debt == 0


async def test_s5_target_reached_from_a_burn_into_debt(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", policy="ALLOW")
    await grant(gql, wallet_id, "500", "start")
    await set_rule(
        gql, wallet_id, trigger="THRESHOLD", method="TARGET", threshold="0", credits="10000"
    )
    assert await _recharges(runtime) == []  # 500 is above the threshold
    await burn(runtime, wallet_id, "3500")
    await settle_all(database_url, jobs, clock)
    assert await _invoice_totals(runtime) == [13000]
    assert await balance(gql, wallet_id) == Decimal(10000)


async def test_s7_three_declines_disable_the_rule_and_tell_people(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", "pm_sandbox_decline")
    await grant(gql, wallet_id, "2000", "start")
    await _threshold_rule(gql, wallet_id)
    await burn(runtime, wallet_id, "1050")
    await settle_all(database_url, jobs, clock)
    for attempt in (2, 3):
        await burn(runtime, wallet_id, "1")  # still inside the cooldown: nothing starts
        assert len(await _recharges(runtime)) == attempt - 1
        clock.advance(COOLDOWN)
        await burn(runtime, wallet_id, "1")
        await settle_all(database_url, jobs, clock)
    assert [r[1] for r in await _recharges(runtime)] == ["failed"] * 3
    payments = await rows(runtime.db, "SELECT status, failure_reason FROM payments")
    assert [p[0] for p in payments] == ["failed"] * 3
    assert all(p[1].startswith("card_declined") for p in payments)
    rule = (await gql(RULE, wallet=str(wallet_id)))["autoRechargeRule"]
    assert rule["enabled"] is False and rule["consecutiveFailures"] == 3
    assert rule["disabledReason"].startswith("3 payments failed in a row")
    notes = await jobs_for(runtime.db, "notifications.send")
    disabled = [n for n in notes if n["template"] == "recharge_disabled"]
    assert sorted(n["to"] for n in disabled) == ["customer", "operators"]
    assert {n["data"]["failures"] for n in disabled} == {3}

    clock.advance(COOLDOWN)
    await burn(runtime, wallet_id, "1")  # a disabled rule starts nothing
    assert len(await _recharges(runtime)) == 3
    assert await balance(gql, wallet_id) == Decimal(945)  # 2,000 − 1,055: no credits added
    assert await count_rows(runtime.db, "grants") == 1


async def test_a_success_resets_the_failure_count(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", "pm_sandbox_decline")
    await grant(gql, wallet_id, "2000", "start")
    await _threshold_rule(gql, wallet_id)
    await burn(runtime, wallet_id, "1050")
    await settle_all(database_url, jobs, clock)
    assert (await gql(RULE, wallet=str(wallet_id)))["autoRechargeRule"]["consecutiveFailures"] == 1
    ok = await gql(
        """mutation { addPaymentMethod(input: {customerExternalId: "acme",
          reference: "pm_sandbox_ok", makeDefault: true}) { __typename } }"""
    )
    assert ok["addPaymentMethod"]["__typename"] == "PaymentMethodPayload"
    clock.advance(COOLDOWN)
    await burn(runtime, wallet_id, "1")
    await settle_all(database_url, jobs, clock)
    rule = (await gql(RULE, wallet=str(wallet_id)))["autoRechargeRule"]
    assert rule["enabled"] is True and rule["consecutiveFailures"] == 0
    assert await balance(gql, wallet_id) == Decimal(5949)


async def test_the_monthly_cap_skips_recharges_until_next_month(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "2000", "start")
    await _threshold_rule(gql, wallet_id, monthlyMaxRecharges=1)
    await burn(runtime, wallet_id, "1050")
    await settle_all(database_url, jobs, clock)
    clock.advance(COOLDOWN)
    await burn(runtime, wallet_id, "5000")  # 950 again
    await settle_all(database_url, jobs, clock)
    found = await rows(runtime.db, "SELECT status, failure_reason FROM recharges ORDER BY id")
    assert [tuple(r) for r in found] == [
        ("succeeded", None),
        ("skipped", "monthly cap of 1 recharges reached"),
    ]
    assert await count_rows(runtime.db, "invoices") == 1
    clock.set(clock.now().replace(month=clock.now().month + 1, day=1))
    await burn(runtime, wallet_id, "1")
    await settle_all(database_url, jobs, clock)
    assert await balance(gql, wallet_id) == Decimal(5949)


async def test_the_money_cap_counts_what_was_spent_this_month(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "2000", "start")
    await _threshold_rule(gql, wallet_id, monthlyMaxAmount="75.00")
    await burn(runtime, wallet_id, "1050")
    await settle_all(database_url, jobs, clock)  # 50.00 spent
    clock.advance(COOLDOWN)
    await burn(runtime, wallet_id, "5000")
    await settle_all(database_url, jobs, clock)  # another 50.00 would make 100.00 > 75.00
    [_, second] = await rows(runtime.db, "SELECT failure_reason FROM recharges ORDER BY id")
    assert second[0] == "monthly cap of 75.00 USD reached"


async def test_an_interval_rule_runs_on_the_scheduler(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    answer = await set_rule(
        gql, wallet_id, trigger="INTERVAL", interval="WEEKLY", method="FIXED", credits="1000"
    )
    assert answer["rule"]["nextRunAt"] == (clock.now() + timedelta(weeks=1)).isoformat()
    scheduler = Scheduler(runtime)
    await scheduler.tick()
    await settle_all(database_url, jobs, clock)
    assert await balance(gql, wallet_id) == 0  # not due for a week

    clock.advance(timedelta(weeks=1))
    await scheduler.tick()
    await settle_all(database_url, jobs, clock)
    assert await _recharges(runtime) == [("interval", "succeeded", Decimal(1000))]
    assert await balance(gql, wallet_id) == Decimal(1000)
    [next_run] = await rows(runtime.db, "SELECT next_run_at FROM recharge_rules")
    assert next_run[0] == clock.now() + timedelta(weeks=1)

    clock.advance(timedelta(minutes=1))
    await scheduler.tick()
    await settle_all(database_url, jobs, clock)
    assert len(await _recharges(runtime)) == 1


async def test_without_a_payment_method_an_auto_recharge_fails_and_counts(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", None)
    await grant(gql, wallet_id, "2000", "start")
    await _threshold_rule(gql, wallet_id)
    await burn(runtime, wallet_id, "1050")
    await settle_all(database_url, jobs, clock)
    found = await rows(runtime.db, "SELECT status, failure_reason, invoice_id FROM recharges")
    assert [tuple(r) for r in found] == [
        ("failed", "the customer has no default payment method", None)
    ]
    assert (await gql(RULE, wallet=str(wallet_id)))["autoRechargeRule"]["consecutiveFailures"] == 1
    assert await count_rows(runtime.db, "invoices") == 0
