"""entitlement(customer, metric, units): priced by the live subscription's credit charge, then
the wallet's policy; not allowed, and why, for block, overdraft, no subscription, suspension."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import GraphQLClient
from tests.metering.support import (
    create_customer,
    create_metric,
    create_plan,
    grant,
    ingest,
    subscribe,
)

ENTITLEMENT = """query($c: String!, $m: String, $u: Decimal, $credits: Credits) {
  entitlement(customerExternalId: $c, metricCode: $m, units: $u, credits: $credits) {
    __typename ... on Entitlement { allowed reason balance cost }
    ... on Error { code field message } } }"""


async def check(
    gql: GraphQLClient,
    customer: str,
    metric: str | None,
    units: str | None = None,
    credits: str | None = None,
) -> dict[str, Any]:
    variables: dict[str, Any] = {"c": customer, "m": metric, "u": units}
    if credits is not None:
        variables["credits"] = credits
    data = await gql(ENTITLEMENT, **variables)
    result: dict[str, Any] = data["entitlement"]
    return result


async def plan(gql: GraphQLClient) -> None:
    await create_metric(gql, "api_call")
    await create_metric(gql, "report")
    await create_metric(gql, "unpriced")
    await create_plan(
        gql,
        "p",
        [
            {"metricCode": "api_call", "creditPrice": "50"},
            {"metricCode": "report", "creditPrice": "5", "model": "PACKAGE", "packageSize": 100},
        ],
    )


async def test_block_policy_s6(gql: GraphQLClient, http: httpx.AsyncClient) -> None:
    await plan(gql)
    wallet_id = await create_customer(gql, "acme", policy="BLOCK")
    await grant(gql, wallet_id, "10", "g1")
    await subscribe(gql, "acme", "p")

    assert await check(gql, "acme", "api_call") == {
        "__typename": "Entitlement",
        "allowed": False,
        "reason": "insufficient credits",
        "balance": "10",
        "cost": "50",
    }
    await ingest(
        "http",
        gql,
        http,
        [{"transaction_id": "e1", "customer_external_id": "acme", "metric_code": "api_call"}],
    )  # usage that happened always debits: 10 - 50
    assert (await check(gql, "acme", "api_call"))["balance"] == "-40"
    await grant(gql, wallet_id, "100", "g2")  # pays the debt first: 60 left
    allowed = await check(gql, "acme", "api_call")
    assert (allowed["allowed"], allowed["reason"], allowed["balance"]) == (True, "ok", "60")
    assert (await check(gql, "acme", "api_call", "2"))["reason"] == "insufficient credits"
    package = await check(gql, "acme", "report", "150")  # two started packages
    assert (package["allowed"], package["cost"]) == (True, "10")


async def test_overdraft_policy(gql: GraphQLClient) -> None:
    await plan(gql)
    wallet_id = await create_customer(gql, "acme", policy="OVERDRAFT", overdraft="100")
    await grant(gql, wallet_id, "10", "g1")
    await subscribe(gql, "acme", "p")

    assert (await check(gql, "acme", "api_call", "2"))["allowed"] is True  # 10 - 100 = -90
    refused = await check(gql, "acme", "api_call", "3")  # 10 - 150 = -140
    assert (refused["allowed"], refused["reason"]) == (False, "overdraft limit reached")


async def test_allow_policy_never_stops(gql: GraphQLClient) -> None:
    await plan(gql)
    await create_customer(gql, "acme", policy="ALLOW")
    await subscribe(gql, "acme", "p")
    result = await check(gql, "acme", "api_call", "1000")
    assert (result["allowed"], result["cost"]) == (True, "50000")


async def test_without_a_live_subscription_or_charge_access_is_refused(
    gql: GraphQLClient,
) -> None:
    await plan(gql)
    await create_customer(gql, "acme")
    refused = await check(gql, "acme", "api_call")
    assert (refused["allowed"], refused["reason"]) == (False, "no active subscription")

    subscription_id = await subscribe(gql, "acme", "p")
    assert (await check(gql, "acme", "unpriced"))["reason"] == "metric not in plan"
    await gql(
        "mutation($id: ID!) { suspendSubscription(id: $id) { __typename } }", id=subscription_id
    )
    assert (await check(gql, "acme", "api_call"))["reason"] == "subscription suspended"
    await gql(
        "mutation($id: ID!) { resumeSubscription(id: $id) { __typename } }", id=subscription_id
    )
    assert (await check(gql, "acme", "api_call"))["allowed"] is True
    await gql(
        "mutation($id: ID!) { terminateSubscription(id: $id) { __typename } }", id=subscription_id
    )
    assert (await check(gql, "acme", "api_call"))["reason"] == "no active subscription"


async def test_bad_arguments_are_typed_errors(gql: GraphQLClient) -> None:
    await plan(gql)
    await create_customer(gql, "acme")
    await subscribe(gql, "acme", "p")
    assert (await check(gql, "ghost", "api_call"))["field"] == "customerExternalId"
    assert (await check(gql, "acme", "nope"))["field"] == "metricCode"
    assert (await check(gql, "acme", "api_call", "0"))["field"] == "units"
    assert (await check(gql, "acme", None, "2"))["field"] == "metricCode"
    assert (await check(gql, "acme", "api_call", credits="5"))["field"] == "credits"
