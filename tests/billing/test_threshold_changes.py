"""Thresholds act when they change: setting, lowering, overriding or clearing a subscription's
thresholds, or changing a plan's (for every subscription that follows it), evaluates the
period's usage at once — in the mutation's transaction, the job to the outbox — and a crossing is
invoiced as the next event would have invoiced it: all usage to date minus what earlier threshold
invoices billed. Raising them never issues one. No event is sent after the change in these
tests, and the clock does not move.

S9's numbers: 120 GB = 58.00, 250 GB = 110.00 (graduated 0.50 up to 100 GB, 0.40 above).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    ERROR,
    S9_THRESHOLDS,
    S9_TIERS,
    SET_THRESHOLDS,
    amounts,
    batch,
    create_plan,
    invoices,
    scale_customer,
    scale_plan,
    send,
    subscription,
)
from tests.billing.support import gb_events as gb
from tests.conftest import GraphQLClient
from tests.metering.support import create_metric
from tests.payments.support import jobs_for, rows, settle_all
from workers.system import JobSystem

INVOICE_THRESHOLD = "billing.invoice_threshold"

CLEAR = f"""mutation($id: ID!) {{ clearSubscriptionThresholds(subscriptionId: $id) {{
  __typename ... on SubscriptionPayload {{ subscription {{ thresholdsOverridden }} }}
  {ERROR} }} }}"""

UPDATE_PLAN = f"""mutation($input: UpdatePlanInput!) {{ updatePlan(input: $input) {{
  __typename ... on PlanPayload {{ plan {{ thresholds {{ amount {{ amount }} recurring }} }} }}
  {ERROR} }} }}"""


async def set_thresholds(gql: GraphQLClient, subscription_id: str, *amounts: Any) -> None:
    items = [a if isinstance(a, dict) else {"amount": a} for a in amounts]
    answer = await gql(
        SET_THRESHOLDS, input={"subscriptionId": subscription_id, "thresholds": items}
    )
    payload = answer["setSubscriptionThresholds"]
    assert payload["__typename"] == "SubscriptionPayload", payload


async def update_plan(gql: GraphQLClient, thresholds: list[dict[str, Any]]) -> dict[str, Any]:
    answer = await gql(UPDATE_PLAN, input={"code": "scale", "thresholds": thresholds})
    payload: dict[str, Any] = answer["updatePlan"]
    return payload


async def queued(runtime: Runtime) -> int:
    """Threshold invoice jobs written to the outbox so far."""
    return len(await jobs_for(runtime.db, INVOICE_THRESHOLD))


async def plain_scale(gql: GraphQLClient) -> None:
    """S9's plan "Scale" without thresholds."""
    await create_metric(gql, "gb_processed", "SUM", singular="GB", plural="GB", prop="gb")
    await create_plan(
        gql,
        code="scale",
        name="Scale",
        moneyCharges=[{"metricCode": "gb_processed", "model": "GRADUATED", "tiers": S9_TIERS}],
    )


async def test_a_threshold_lowered_below_the_usage_invoices_at_once(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    await set_thresholds(gql, subscription_id, "500.00")
    await send("http", gql, http, gb("a", 120))  # 58.00, below 500.00
    await settle_all(database_url, jobs, clock)
    assert await invoices(gql, "THRESHOLD") == []

    await set_thresholds(gql, subscription_id, "50.00")
    # Decided in the mutation's transaction: the job is in the outbox before anything runs.
    [job] = await jobs_for(runtime.db, INVOICE_THRESHOLD)
    [(level, usage, billed, created)] = await rows(
        runtime.db,
        "SELECT level_minor, usage_minor, billed_before_minor, created_at"
        " FROM threshold_crossings WHERE id = :id",
        id=job["crossing_id"],
    )
    assert (level, usage, billed, created) == (5000, 5800, 0, clock.now())
    await settle_all(database_url, jobs, clock)
    [first] = await invoices(gql, "THRESHOLD")
    assert (first["total"]["amount"], first["threshold"]["amount"]) == ("58.00", "50.00")
    assert datetime.fromisoformat(first["finalizedAt"]) == clock.now()
    assert first["status"] == "PAID"

    # 250 GB: 110.00, no new level of {50.00}. Lowered to S9's thresholds, 100.00 is reached:
    # the invoice bills all usage to date less the 58.00 billed before.
    await send("graphql", gql, http, gb("b", 130))
    await settle_all(database_url, jobs, clock)
    assert len(await invoices(gql, "THRESHOLD")) == 1
    await set_thresholds(gql, subscription_id, *S9_THRESHOLDS)
    await settle_all(database_url, jobs, clock)
    _, second = await invoices(gql, "THRESHOLD")
    assert (second["total"]["amount"], second["threshold"]["amount"]) == ("52.00", "100.00")
    assert amounts(second) == ["110.00", "-58.00"]
    period = (await subscription(gql, subscription_id))["billingPeriod"]
    assert (period["billedByThresholds"]["amount"], period["lastThreshold"]["amount"]) == (
        "110.00",
        "100.00",
    )


async def test_thresholds_set_on_a_subscription_with_usage_invoice_at_once(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await plain_scale(gql)
    _, subscription_id = await scale_customer(gql)
    await send("http", gql, http, gb("a", 120))
    await settle_all(database_url, jobs, clock)
    assert await queued(runtime) == 0

    await set_thresholds(gql, subscription_id, "50.00", "100.00")
    assert await queued(runtime) == 1
    await set_thresholds(gql, subscription_id, "50.00", "100.00")  # the same again: nothing
    await set_thresholds(gql, subscription_id, "40.00")  # 40.00 < 50.00 invoiced: nothing
    assert await queued(runtime) == 1
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    assert (invoice["total"]["amount"], invoice["threshold"]["amount"]) == ("58.00", "50.00")


async def test_raising_thresholds_never_invoices(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    await send("http", gql, http, gb("a", 120))  # 58.00: the plan's 50.00 invoices it
    await settle_all(database_url, jobs, clock)
    assert await queued(runtime) == 1

    await set_thresholds(gql, subscription_id, "500.00")
    await set_thresholds(gql, subscription_id, "100.00", {"amount": "300.00", "recurring": True})
    assert (await gql(CLEAR, id=subscription_id))["clearSubscriptionThresholds"][
        "subscription"
    ] == {"thresholdsOverridden": False}  # back to the plan's: 50.00 is invoiced already
    assert (await update_plan(gql, [{"amount": "1000.00"}]))["__typename"] == "PlanPayload"
    await settle_all(database_url, jobs, clock)
    assert await queued(runtime) == 1
    assert len(await invoices(gql, "THRESHOLD")) == 1


async def test_clearing_an_override_applies_the_plans_thresholds_at_once(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    await set_thresholds(gql, subscription_id, "500.00")
    await send("http", gql, http, gb("a", 250))  # 110.00
    await settle_all(database_url, jobs, clock)
    assert await queued(runtime) == 0

    cleared = await gql(CLEAR, id=subscription_id)
    assert cleared["clearSubscriptionThresholds"]["__typename"] == "SubscriptionPayload"
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")  # one invoice at the highest level reached
    assert (invoice["total"]["amount"], invoice["threshold"]["amount"]) == ("110.00", "100.00")


async def test_a_plans_thresholds_act_on_every_subscription_that_follows_them(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await plain_scale(gql)
    _, acme = await scale_customer(gql, "acme")
    _, beta = await scale_customer(gql, "beta")
    _, idle = await scale_customer(gql, "idle")
    await set_thresholds(gql, beta, "500.00")  # beta's own thresholds stay
    await send("http", gql, http, gb("a", 120) + gb("b", 250, customer="beta"))
    await settle_all(database_url, jobs, clock)
    assert await queued(runtime) == 0

    changed = await update_plan(gql, S9_THRESHOLDS)
    assert changed["plan"]["thresholds"][0] == {"amount": {"amount": "50.00"}, "recurring": False}
    assert await queued(runtime) == 1
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    assert invoice["subscription"]["id"] == acme
    assert (invoice["total"]["amount"], invoice["threshold"]["amount"]) == ("58.00", "50.00")
    assert await invoices(gql, "THRESHOLD", beta) == []
    assert await invoices(gql, "THRESHOLD", idle) == []

    # The next event goes on from there: 130 GB more is 110.00, past 100.00.
    await send("http", gql, http, gb("c", 130))
    await settle_all(database_url, jobs, clock)
    _, later = await invoices(gql, "THRESHOLD", acme)
    assert later["total"]["amount"] == "52.00"


BAD: list[tuple[list[dict[str, Any]], str]] = [
    ([{"amount": "0"}], "thresholds[0].amount"),
    ([{"amount": "50.00"}, {"amount": "-10.00"}], "thresholds[1].amount"),
    ([{"amount": "50.00"}, {"amount": "0", "recurring": True}], "thresholds[1].amount"),
    ([{"amount": "-200.00", "recurring": True}], "thresholds[0].amount"),
]


async def test_a_threshold_not_above_zero_is_refused_and_nothing_written(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """Each set below holds a threshold the usage crossed (50.00): refused, it issues nothing."""
    await plain_scale(gql)
    _, subscription_id = await scale_customer(gql)
    await send("http", gql, http, gb("a", 120))
    for items, field in BAD:
        answer = await gql(
            SET_THRESHOLDS, input={"subscriptionId": subscription_id, "thresholds": items}
        )
        error = answer["setSubscriptionThresholds"]
        assert (error["__typename"], error["field"], error["code"]) == (
            "ValidationError",
            field,
            "invalid_amount",
        )
        error = await update_plan(gql, items)
        assert (error["__typename"], error["field"], error["code"]) == (
            "ValidationError",
            field,
            "invalid_amount",
        )
    await settle_all(database_url, jobs, clock)
    assert await queued(runtime) == 0
    assert await rows(runtime.db, "SELECT id FROM threshold_crossings") == []
    found = await subscription(gql, subscription_id)
    assert (found["thresholdsOverridden"], found["thresholds"]) == (False, [])


async def test_a_change_waits_for_a_batch_in_flight_and_counts_its_usage(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """A batch holds the period row (120 GB, 58.00, not committed) while the thresholds are
    lowered to 50.00: the change waits for it, then invoices its usage, once."""
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    await set_thresholds(gql, subscription_id, "500.00")
    first = runtime.db.sessions()
    await batch(runtime, first, gb("a", 120))

    lowering = asyncio.create_task(set_thresholds(gql, subscription_id, "50.00"))
    await asyncio.sleep(0.5)
    assert not lowering.done()  # it waits for the period row the batch holds
    await runtime.db.commit(first)
    await first.close()
    await asyncio.wait_for(lowering, 10)

    assert await queued(runtime) == 1
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    assert (invoice["total"]["amount"], invoice["threshold"]["amount"]) == ("58.00", "50.00")
