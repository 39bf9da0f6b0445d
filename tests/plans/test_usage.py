"""Period-to-date usage for each aggregation, kept in the ingest transaction, and what it
debits: count and sum add, max rises, latest follows the newest event (billing its peak),
unique_count counts distinct values; package pricing bills started packages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from app.clock import FrozenClock
from tests.conftest import GraphQLClient
from tests.metering.support import (
    create_customer,
    create_metric,
    create_plan,
    grant,
    ingest,
    subscribe,
    wallet,
)

USAGE = """query($id: ID!, $at: DateTime) { subscription(id: $id) {
  currentPeriodStart currentPeriodEnd
  usage(at: $at) { metricCode metric { code } units credits } } }"""


def event(n: int, metric: str, at: Any = None, **properties: Any) -> dict[str, Any]:
    found = {
        "transaction_id": f"u{n}",
        "customer_external_id": "acme",
        "metric_code": metric,
        "properties": properties,
    }
    if at is not None:
        found["timestamp"] = at.isoformat()
    return found


async def setup(gql: GraphQLClient) -> tuple[str, str]:
    await create_metric(gql, "calls")
    await create_metric(gql, "gb", "SUM", prop="gb")
    await create_metric(gql, "peak_seats", "MAX", prop="seats")
    await create_metric(gql, "seats", "LATEST", prop="seats")
    await create_metric(gql, "users", "UNIQUE_COUNT", prop="user")
    await create_metric(gql, "exports", singular="export", plural="exports")
    await create_plan(
        gql,
        "all",
        [
            {"metricCode": "calls", "creditPrice": "0.5"},
            {"metricCode": "gb", "creditPrice": "10"},
            {"metricCode": "peak_seats", "creditPrice": "100"},
            {"metricCode": "seats", "creditPrice": "1000"},
            {"metricCode": "users", "creditPrice": "3"},
            {"metricCode": "exports", "creditPrice": "7", "model": "PACKAGE", "packageSize": 10},
        ],
    )
    wallet_id = await create_customer(gql, "acme")
    await grant(gql, wallet_id, "100000", "g")
    return wallet_id, await subscribe(gql, "acme", "all")


async def usage(gql: GraphQLClient, subscription_id: str, at: Any = None) -> dict[str, Any]:
    data = await gql(USAGE, id=subscription_id, at=at.isoformat() if at else None)
    rows = data["subscription"]["usage"]
    assert all(r["metricCode"] == r["metric"]["code"] for r in rows)
    return {r["metricCode"]: (r["units"], r["credits"]) for r in rows}


async def test_period_usage_for_each_aggregation(
    gql: GraphQLClient, http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    wallet_id, subscription_id = await setup(gql)
    now = clock.advance(timedelta(hours=1))
    first = [
        event(1, "calls"),
        event(2, "calls"),
        event(3, "calls"),
        event(4, "gb", gb=1.25),
        event(5, "gb", gb="0.75"),
        event(6, "peak_seats", seats=3),
        event(7, "peak_seats", seats=5),
        event(8, "seats", now - timedelta(minutes=5), seats=9),
        event(9, "seats", now - timedelta(minutes=1), seats=4),
        event(10, "users", user="ann"),
        event(11, "users", user="bob"),
        event(12, "users", user="ann"),
        *[event(100 + n, "exports") for n in range(11)],
    ]
    await ingest("http", gql, http, first)
    assert await usage(gql, subscription_id) == {
        "calls": ("3", "1.5"),
        "gb": ("2", "20"),
        "peak_seats": ("5", "500"),
        "seats": ("4", "9000"),  # the newest value; the highest seen (9) is billed
        "users": ("2", "6"),
        "exports": ("11", "14"),  # two started packages of 10
    }
    balance = 100000 - (1.5 + 20 + 500 + 9000 + 6 + 14)

    second = [
        event(13, "peak_seats", seats=4),  # below the peak: nothing
        event(14, "seats", now - timedelta(minutes=10), seats=8),  # older: not the latest
        event(15, "seats", now, seats=10),  # newest, 1 above the highest billed
        event(16, "users", user="bob"),
        event(17, "users", user="cy"),
        *[event(200 + n, "exports") for n in range(9)],  # 20 exports: still two packages
    ]
    payload = await ingest("graphql", gql, http, second)
    assert payload["accepted"] == len(second)
    assert await usage(gql, subscription_id) == {
        "calls": ("3", "1.5"),
        "gb": ("2", "20"),
        "peak_seats": ("5", "500"),
        "seats": ("10", "10000"),
        "users": ("3", "9"),
        "exports": ("20", "14"),
    }
    balance -= 1000 + 3
    assert (await wallet(gql, wallet_id))["balance"] == f"{balance:g}"


async def test_usage_is_kept_per_billing_period(
    gql: GraphQLClient, http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    _, subscription_id = await setup(gql)
    start = clock.now()
    await ingest("http", gql, http, [event(1, "calls"), event(2, "calls")])
    clock.advance(timedelta(days=32))  # the next monthly period
    await ingest("http", gql, http, [event(3, "calls")])
    late = start + timedelta(days=30)  # backdated into the first period (within 7 days)
    await ingest("http", gql, http, [event(4, "calls", late)])

    data = await gql(USAGE, id=subscription_id, at=None)
    assert data["subscription"]["currentPeriodStart"].startswith("2026-02-15T12:00:00")
    assert (await usage(gql, subscription_id))["calls"] == ("1", "0.5")
    assert (await usage(gql, subscription_id, start))["calls"] == ("3", "1.5")


async def test_a_customer_token_reads_its_own_subscription_only(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    _, subscription_id = await setup(gql)
    await create_customer(gql, "other")
    await subscribe(gql, "other", "all")
    await ingest("http", gql, http, [event(1, "calls")])

    async def token(customer: str) -> str:
        data = await gql(
            """mutation($c: String!) { createCustomerToken(customerExternalId: $c) {
                ... on CustomerToken { token } } }""",
            c=customer,
        )
        found: str = data["createCustomerToken"]["token"]
        return found

    mine = await gql.raw(USAGE, key=await token("acme"), id=subscription_id, at=None)
    assert mine["data"]["subscription"]["usage"][0] == {
        "metricCode": "calls",
        "metric": {"code": "calls"},
        "units": "1",
        "credits": "0.5",
    }
    theirs = await gql.raw(USAGE, key=await token("other"), id=subscription_id, at=None)
    assert "not visible" in theirs["errors"][0]["message"]
