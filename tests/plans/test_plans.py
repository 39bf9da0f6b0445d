"""Plans, charges and subscriptions through GraphQL; a price change reaches the hot path at
once (the catalog version), and a customer has at most one live subscription."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.metering.support import (
    CREATE_PLAN,
    SUBSCRIBE,
    create_customer,
    create_metric,
    create_plan,
    ingest,
    subscribe,
    wallet,
)

PLANS = """{ plans { nodes { code interval currency
  charges { metric { code unitPlural } pricing model creditPrice packageSize } } } }"""


async def test_create_update_and_list_plans(gql: GraphQLClient) -> None:
    await create_metric(gql, "api_call", singular="API call", plural="API calls")
    await create_metric(gql, "exports", singular="export", plural="exports")
    created = await create_plan(
        gql, "pro", [{"metricCode": "api_call", "creditPrice": "0.25"}], interval="YEARLY"
    )
    assert created["charges"] == [
        {
            "metric": {"code": "api_call"},
            "pricing": "CREDITS",
            "model": "PER_UNIT",
            "creditPrice": "0.25",
            "packageSize": 1,
        }
    ]
    await gql("""mutation { updatePlan(input: {code: "pro", name: "Pro 2", charges: [
        {metricCode: "exports", creditPrice: "3", model: PACKAGE, packageSize: 10}]}) {
        __typename } }""")
    listed = (await gql(PLANS))["plans"]["nodes"]
    assert listed == [
        {
            "code": "pro",
            "interval": "YEARLY",
            "currency": "USD",
            "charges": [
                {
                    "metric": {"code": "exports", "unitPlural": "exports"},
                    "pricing": "CREDITS",
                    "model": "PACKAGE",
                    "creditPrice": "3",
                    "packageSize": 10,
                }
            ],
        }
    ]


async def test_plan_errors_name_the_field(gql: GraphQLClient) -> None:
    await create_metric(gql, "api_call")
    await create_plan(gql, "pro", [])
    cases = [
        ({"code": "pro", "name": "x", "currency": "USD"}, "code"),
        ({"code": "p2", "name": "x", "currency": "usdollar"}, "currency"),
        (
            {
                "code": "p3",
                "name": "x",
                "currency": "USD",
                "charges": [{"metricCode": "nope", "creditPrice": "1"}],
            },
            "charges[0].metricCode",
        ),
        (
            {
                "code": "p4",
                "name": "x",
                "currency": "USD",
                "charges": [
                    {"metricCode": "api_call", "creditPrice": "1"},
                    {"metricCode": "api_call", "creditPrice": "2"},
                ],
            },
            "charges[1].metricCode",
        ),
        (
            {
                "code": "p5",
                "name": "x",
                "currency": "USD",
                "charges": [{"metricCode": "api_call", "creditPrice": "-1"}],
            },
            "charges[0].creditPrice",
        ),
        (
            {
                "code": "p6",
                "name": "x",
                "currency": "USD",
                "charges": [{"metricCode": "api_call", "creditPrice": "1", "packageSize": 5}],
            },
            "charges[0].packageSize",
        ),
    ]
    for plan_input, field in cases:
        payload = (await gql(CREATE_PLAN, input=plan_input))["createPlan"]
        assert payload["field"] == field, payload
    assert len((await gql(PLANS))["plans"]["nodes"]) == 1


async def test_subscriptions_have_periods_and_one_live_per_customer(gql: GraphQLClient) -> None:
    await create_metric(gql, "api_call")
    await create_plan(gql, "pro", [{"metricCode": "api_call", "creditPrice": "1"}])
    await create_plan(gql, "free", [])
    await create_customer(gql, "acme")
    anchor = datetime(2025, 1, 31, tzinfo=UTC).isoformat()
    data = await gql(
        SUBSCRIBE, input={"customerExternalId": "acme", "planCode": "pro", "anchor": anchor}
    )
    subscription = data["createSubscription"]["subscription"]
    # now is 2026-01-15 12:00: the period anchored on the 31st runs from 31 Dec to 31 Jan, and
    # the subscription's first period from its start to the anchor date
    assert subscription["currentPeriodStart"] == "2026-01-15T12:00:00+00:00"
    assert subscription["currentPeriodEnd"] == "2026-01-31T00:00:00+00:00"

    again = await gql(SUBSCRIBE, input={"customerExternalId": "acme", "planCode": "free"})
    assert again["createSubscription"]["code"] == "duplicate"
    await gql(
        "mutation($id: ID!) { terminateSubscription(id: $id) { __typename } }",
        id=subscription["id"],
    )
    resumed = await gql(
        """mutation($id: ID!) { resumeSubscription(id: $id) {
        ... on Error { code field } } }""",
        id=subscription["id"],
    )
    assert resumed["resumeSubscription"] == {"code": "invalid_transition", "field": "status"}
    await subscribe(gql, "acme", "free")
    listed = await gql("""{ subscriptions(customerExternalId: "acme") {
        nodes { status plan { code } customer { externalId } } } }""")
    assert listed["subscriptions"]["nodes"] == [
        {"status": "TERMINATED", "plan": {"code": "pro"}, "customer": {"externalId": "acme"}},
        {"status": "ACTIVE", "plan": {"code": "free"}, "customer": {"externalId": "acme"}},
    ]


async def test_credit_charges_need_a_wallet_in_the_plan_currency(gql: GraphQLClient) -> None:
    await create_metric(gql, "api_call")
    await create_plan(gql, "pro", [{"metricCode": "api_call", "creditPrice": "1"}])
    await gql("""mutation { createCustomer(input: {externalId: "bare", name: "Bare",
        currency: "USD"}) { __typename } }""")
    payload = await gql(SUBSCRIBE, input={"customerExternalId": "bare", "planCode": "pro"})
    assert payload["createSubscription"]["code"] == "no_wallet"


async def test_a_price_change_prices_the_next_batch(
    gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    await create_metric(gql, "api_call")
    await create_plan(gql, "pro", [{"metricCode": "api_call", "creditPrice": "1"}])
    wallet_id = await create_customer(gql, "acme")
    await subscribe(gql, "acme", "pro")
    event = {"customer_external_id": "acme", "metric_code": "api_call"}

    await ingest("http", gql, http, [{"transaction_id": "a", **event}])
    loaded = runtime.catalog.loaded
    await ingest("http", gql, http, [{"transaction_id": "a2", **event}])
    assert runtime.catalog.loaded is loaded  # unchanged catalog: not reloaded
    await gql("""mutation { updatePlan(input: {code: "pro", charges: [
        {metricCode: "api_call", creditPrice: "10"}]}) { __typename } }""")
    await ingest("graphql", gql, http, [{"transaction_id": "b", **event}])
    await gql("""mutation { updateMetric(input: {code: "api_call", unitPlural: "calls"}) {
        __typename } }""")
    await ingest(
        "http", gql, http, [{"transaction_id": "c", **event}, {"transaction_id": "d", **event}]
    )

    found = await wallet(gql, wallet_id)
    assert runtime.catalog.loaded is not loaded
    assert found["balance"] == "-32"
    assert found["ledgerEntries"]["nodes"][0]["description"] == "−20 credits · 2 calls"
