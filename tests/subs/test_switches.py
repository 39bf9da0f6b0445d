"""Plan switches end to end through GraphQL, the clock moved by the test.

Rules (README, Pricing): an upgrade (the new base fee per day at least the current one's) applies
now — the current plan's final invoice bills its base fee for the days before the day of the
switch and its usage so far; the new subscription bills the day of the switch to the period's
end, and its usage starts fresh. A downgrade is scheduled for the period's end (cancellable),
done by the scheduler once, the ended period billed whole on the old plan.

Lago's example: Plan A 100.00 a month, calendar months, subscribed on 1 January, upgraded to
Plan B 200.00 on 15 January: 15 January, Plan A for 14 of 31 days = 45.16; 1 February, Plan B
for 17 of 31 days = 109.677… → 109.68.
"""

from __future__ import annotations

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import invoices, tick
from tests.billing.test_termination import terminate
from tests.conftest import GraphQLClient
from tests.metering.support import subscribe
from tests.payments.support import customer_with_method, jobs_for, settle_all
from tests.subs.support import (
    CANCEL,
    at,
    gb_metric,
    gb_plan,
    lines,
    live,
    state,
    switch,
    use_gb,
)
from workers.system import JobSystem


async def plans_a_and_b(gql: GraphQLClient) -> str:
    """Plans A (100.00 a month, 0.10 a GB) and B (200.00, 0.05 a GB); acme on A since 1 Jan
    2026 on calendar months."""
    await gb_metric(gql)
    await gb_plan(gql, "plan_a", "100.00", "0.10")
    await gb_plan(gql, "plan_b", "200.00", "0.05")
    await customer_with_method(gql, "acme")
    return await subscribe(gql, "acme", "plan_a", anchor=at(2026, 1, 1).isoformat())


async def test_upgrade_mid_period_bills_the_old_plan_now_and_the_new_one_at_period_end(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    clock.set(at(2026, 1, 1))
    old_id = await plans_a_and_b(gql)
    clock.set(at(2026, 1, 10))
    await use_gb(gql, "a", 100)  # 100 GB on A: 10.00
    clock.set(at(2026, 1, 15, 12))
    payload = await switch(gql, old_id, "plan_b")
    assert payload["__typename"] == "SubscriptionPayload", payload
    new = payload["subscription"]
    assert (new["plan"]["code"], new["status"], new["previousSubscriptionId"]) == (
        "plan_b",
        "ACTIVE",
        old_id,
    )
    assert (new["startedAt"], new["currentPeriodEnd"]) == (
        "2026-01-15T12:00:00+00:00",
        "2026-02-01T00:00:00+00:00",
    )
    old = await state(gql, old_id)
    assert (old["status"], old["terminatedAt"]) == ("TERMINATED", "2026-01-15T12:00:00+00:00")
    [final] = await invoices(gql, "PERIOD_END", old_id)  # issued by the mutation
    assert lines(final) == [
        ("Plan A · base fee · 1 Jan – 15 Jan 2026 · 14 of 31 days (plan switched)", "45.16"),
        ("Gb Processed · 100 GB · 100 × 0.1", "10.00"),
    ]
    assert (final["periodEnd"], final["total"]["amount"]) == ("2026-01-15T12:00:00+00:00", "55.16")

    clock.set(at(2026, 1, 20))
    await use_gb(gql, "b", 300)  # fresh usage on B: 300 GB at 0.05
    found = await state(gql, new["id"])
    assert [(u["metricCode"], u["units"]) for u in found["usage"]] == [("gb_processed", "300")]
    await settle_all(database_url, jobs, clock)
    [switched] = [
        e["data"]
        for e in await jobs_for(runtime.db, "webhooks.emit")
        if e["type"] == "subscription.plan_switched"
    ]
    assert (switched["plan_code"], switched["next_plan_code"]) == ("plan_a", "plan_b")
    assert switched["final_invoice"]["total"] == "55.16"

    clock.set(at(2026, 2, 1))
    await tick(runtime, database_url, jobs, clock)
    [first] = await invoices(gql, "PERIOD_END", new["id"])
    assert lines(first) == [
        ("Plan B · base fee · 15 Jan – 1 Feb 2026 · 17 of 31 days", "109.68"),
        ("Gb Processed · 300 GB · 300 × 0.05", "15.00"),
    ]
    await tick(runtime, database_url, jobs, clock)  # the old subscription bills nothing more
    assert len(await invoices(gql, "PERIOD_END", old_id)) == 1


async def test_downgrade_waits_for_the_period_end_and_can_be_cancelled(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    clock.set(at(2026, 1, 1))
    await gb_metric(gql)
    await gb_plan(gql, "plan_a", "100.00", "0.10")
    await gb_plan(gql, "plan_b", "200.00", "0.05")
    await customer_with_method(gql, "acme")
    b_id = await subscribe(gql, "acme", "plan_b", anchor=at(2026, 1, 1).isoformat())
    clock.set(at(2026, 1, 20, 9))
    payload = await switch(gql, b_id, "plan_a")
    assert payload["subscription"]["id"] == b_id
    assert payload["subscription"]["scheduledPlan"] == {"code": "plan_a"}
    assert await invoices(gql, "PERIOD_END") == []  # nothing billed at the request
    cancelled = (await gql(CANCEL, id=b_id))["cancelPlanSwitch"]
    assert cancelled["subscription"]["scheduledPlan"] is None
    assert (await switch(gql, b_id, "plan_a"))["subscription"]["scheduledPlan"]["code"] == "plan_a"
    await use_gb(gql, "b", 200)  # 200 GB on B: 10.00

    clock.set(at(2026, 2, 1, 0, 0))
    await tick(runtime, database_url, jobs, clock)
    [ended] = await invoices(gql, "PERIOD_END", b_id)
    assert lines(ended) == [
        ("Plan B · base fee · 1 Jan – 1 Feb 2026", "200.00"),
        ("Gb Processed · 200 GB · 200 × 0.05", "10.00"),
    ]
    [now_on_a] = await live(gql)
    assert (
        now_on_a["plan"]["code"],
        now_on_a["startedAt"],
        now_on_a["previousSubscriptionId"],
    ) == (
        "plan_a",
        "2026-02-01T00:00:00+00:00",
        b_id,
    )
    old = await state(gql, b_id)
    assert (old["status"], old["terminatedAt"]) == ("TERMINATED", "2026-02-01T00:00:00+00:00")
    clock.set(at(2026, 2, 1, 0, 5))
    await tick(runtime, database_url, jobs, clock)  # once: nothing more
    assert len(await live(gql)) == 1
    assert len(await invoices(gql, "PERIOD_END")) == 1

    clock.set(at(2026, 3, 1))
    await tick(runtime, database_url, jobs, clock)
    [whole] = await invoices(gql, "PERIOD_END", now_on_a["id"])
    assert lines(whole) == [("Plan A · base fee · 1 Feb – 1 Mar 2026", "100.00")]


async def test_bad_switches_are_typed_errors_naming_the_field_and_write_nothing(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    clock.set(at(2026, 1, 1))
    old_id = await plans_a_and_b(gql)
    await gb_plan(gql, "plan_eur", "300.00", "0.05", currency="EUR")
    clock.set(at(2026, 1, 15))
    cases = [
        (old_id, "plan_a", "ValidationError", "same_plan", "planCode"),
        (old_id, "plan_eur", "ValidationError", "currency_mismatch", "planCode"),
        (old_id, "no_such_plan", "NotFoundError", "not_found", "planCode"),
        ("999999", "plan_b", "NotFoundError", "not_found", "subscriptionId"),
    ]
    for subscription_id, plan, kind, code, field in cases:
        result = await switch(gql, subscription_id, plan)
        assert (result["__typename"], result["code"], result["field"]) == (kind, code, field)
    found = await state(gql, old_id)
    assert (found["status"], found["plan"]["code"], found["scheduledPlan"]) == (
        "ACTIVE",
        "plan_a",
        None,
    )
    assert await invoices(gql) == []
    await terminate(gql, old_id)
    result = await switch(gql, old_id, "plan_b")
    assert (result["__typename"], result["code"], result["field"]) == (
        "ConflictError",
        "terminated",
        "subscriptionId",
    )
    assert len(await invoices(gql)) == 1  # the termination's final invoice only
