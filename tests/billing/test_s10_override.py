"""S10: an operator raises a trusted customer's threshold without touching the plan."""

from __future__ import annotations

from datetime import datetime

import httpx

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    SET_THRESHOLDS,
    amounts,
    invoices,
    scale_customer,
    scale_plan,
    send,
    subscription,
    tick,
)
from tests.billing.support import gb_events as gb
from tests.conftest import GraphQLClient
from tests.payments.support import settle_all
from workers.system import JobSystem

PLAN_THRESHOLDS = [
    {"amount": {"amount": "50.00"}, "recurring": False},
    {"amount": {"amount": "100.00"}, "recurring": False},
    {"amount": {"amount": "200.00"}, "recurring": True},
]


async def test_s10_a_raised_threshold_leaves_the_usage_to_the_period_end(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    await scale_customer(gql, "beta")  # on the same plan, not raised
    raised = await gql(
        SET_THRESHOLDS,
        input={"subscriptionId": subscription_id, "thresholds": [{"amount": "500.00"}]},
    )
    assert raised["setSubscriptionThresholds"]["subscription"] == {
        "thresholdsOverridden": True,
        "thresholds": [{"amount": {"amount": "500.00"}, "recurring": False}],
    }

    await send("http", gql, http, gb("a", 250, per_event=50))
    await send("graphql", gql, http, gb("b", 500, per_event=50))  # 750 GB: 310.00
    await send("http", gql, http, gb("beta", 120, customer="beta"))
    await settle_all(database_url, jobs, clock)
    mine = await invoices(gql, "THRESHOLD", subscription_id)
    assert mine == []
    assert len(await invoices(gql, "THRESHOLD")) == 1  # beta's plan thresholds still apply

    found = await subscription(gql, subscription_id)
    assert found["billingPeriod"]["usage"]["amount"] == "310.00"
    assert found["billingPeriod"]["nextThreshold"]["amount"] == "500.00"
    clock.set(datetime.fromisoformat(found["currentPeriodEnd"]))
    await tick(runtime, database_url, jobs, clock)
    [closing] = await invoices(gql, "PERIOD_END", subscription_id)
    assert (closing["total"]["amount"], amounts(closing)) == ("310.00", ["310.00"])
    assert closing["status"] == "PAID"  # the sandbox card on file


async def test_clearing_the_override_follows_the_plan_again(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    none = await gql(SET_THRESHOLDS, input={"subscriptionId": subscription_id, "thresholds": []})
    assert none["setSubscriptionThresholds"]["subscription"]["thresholds"] == []
    await send("http", gql, http, gb("a", 120))  # 58.00: no thresholds at all
    await settle_all(database_url, jobs, clock)
    assert await invoices(gql, "THRESHOLD") == []

    cleared = await gql(
        """mutation($id: ID!) { clearSubscriptionThresholds(subscriptionId: $id) {
          ... on SubscriptionPayload { subscription { thresholdsOverridden
            thresholds { amount { amount } recurring } } } } }""",
        id=subscription_id,
    )
    assert cleared["clearSubscriptionThresholds"]["subscription"] == {
        "thresholdsOverridden": False,
        "thresholds": PLAN_THRESHOLDS,
    }
    # The plan's 50.00 acts at once on the 58.00 already used (no event needed).
    await settle_all(database_url, jobs, clock)
    [first] = await invoices(gql, "THRESHOLD")
    assert (first["total"]["amount"], first["threshold"]["amount"]) == ("58.00", "50.00")
    await send("graphql", gql, http, gb("b", 130))  # 250 GB, 110.00: past 100.00
    await settle_all(database_url, jobs, clock)
    _, second = await invoices(gql, "THRESHOLD")
    assert (second["total"]["amount"], second["threshold"]["amount"]) == ("52.00", "100.00")
