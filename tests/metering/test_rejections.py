"""Rejected events are kept with their batch (one row each, with the field and message), a
fully good batch keeps none, and the explorer's queries page newest first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.metering.support import ingest, setup_s1

EVENTS = """
query($customer: String, $metric: String, $first: Int!, $after: String) {
  events(customerExternalId: $customer, metricCode: $metric, first: $first, after: $after) {
    nodes { transactionId customerExternalId metricCode timestamp properties }
    pageInfo { hasNextPage endCursor }
  }
}"""
REJECTED = """
query($first: Int!, $after: String) {
  rejectedEvents(first: $first, after: $after) {
    nodes { transactionId customerExternalId metricCode source raw error { code field message } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def rejected_rows(runtime: Runtime) -> list[Any]:
    async with runtime.db.engine.connect() as connection:
        found = await connection.execute(
            text("SELECT source, transaction_id, field, message, raw FROM rejected_events")
        )
        return list(found.all())


@pytest.mark.parametrize("surface", ["http", "graphql"])
async def test_a_bad_event_is_kept_once_with_its_field_and_message(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    await setup_s1(gql)
    events = [
        {"transaction_id": "ok-1", "customer_external_id": "acme", "metric_code": "api_call"},
        {"transaction_id": "bad-1", "customer_external_id": "acme", "metric_code": "nope"},
    ]
    payload = await ingest(surface, gql, http, events)
    assert (payload["accepted"], payload["rejected"]) == (1, 1)
    found = await rejected_rows(runtime)
    assert len(found) == 1
    row = found[0]
    assert row.source == ("rest" if surface == "http" else "graphql")
    assert row.transaction_id == "bad-1"
    assert row.field == ("metric_code" if surface == "http" else "metricCode")
    assert row.message == "no metric with code 'nope'"
    assert "nope" in row.raw


async def test_a_good_batch_keeps_no_rejection(
    gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    await setup_s1(gql)
    events = [
        {"transaction_id": f"ok-{n}", "customer_external_id": "acme", "metric_code": "api_call"}
        for n in range(3)
    ]
    for surface in ("http", "graphql"):
        payload = await ingest(surface, gql, http, events)
        assert payload["rejected"] == 0
    assert await rejected_rows(runtime) == []


async def test_a_huge_rejected_event_is_cut_to_about_4_kb(
    gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    await setup_s1(gql)
    event = {"transaction_id": "big", "customer_external_id": "nobody", "metric_code": "api_call"}
    event["properties"] = {"blob": "x" * 20_000}  # type: ignore[assignment]
    payload = await ingest("http", gql, http, [event])
    assert payload["rejected"] == 1
    (row,) = await rejected_rows(runtime)
    assert len(row.raw) == 4096 and row.raw.endswith("…")


async def test_the_queries_page_newest_first(
    gql: GraphQLClient, http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    await setup_s1(gql)
    await gql(
        """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
            __typename } }""",
        input={"externalId": "globex", "name": "Globex", "currency": "USD"},
    )
    start = clock.now()
    events = []
    for n in range(5):
        events.append(
            {
                "transaction_id": f"e-{n}",
                "customer_external_id": "acme",
                "metric_code": "api_call" if n % 2 == 0 else "report_generated",
                "timestamp": (start - timedelta(minutes=10 - n)).isoformat(),
            }
        )
    events.append({"transaction_id": "bad-0", "customer_external_id": "x", "metric_code": "m"})
    await ingest("http", gql, http, events)
    await ingest(
        "graphql",
        gql,
        http,
        [{"transaction_id": "bad-1", "customer_external_id": "y", "metric_code": "api_call"}],
    )

    seen: list[str] = []
    after = None
    while True:
        data = (await gql(EVENTS, first=2, after=after))["events"]
        seen += [n["transactionId"] for n in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert seen == ["e-4", "e-3", "e-2", "e-1", "e-0"]

    calls = (await gql(EVENTS, customer="acme", metric="api_call", first=10))["events"]
    assert [n["transactionId"] for n in calls["nodes"]] == ["e-4", "e-2", "e-0"]
    assert calls["nodes"][0]["metricCode"] == "api_call"
    assert calls["nodes"][0]["customerExternalId"] == "acme"
    none = (await gql(EVENTS, customer="globex", first=10))["events"]
    assert none["nodes"] == [] and none["pageInfo"]["endCursor"] is None

    first = (await gql(REJECTED, first=1))["rejectedEvents"]
    assert [n["transactionId"] for n in first["nodes"]] == ["bad-1"]
    assert first["nodes"][0]["source"] == "GRAPHQL"
    assert first["nodes"][0]["error"]["field"] == "customerExternalId"
    assert first["pageInfo"]["hasNextPage"]
    rest = (await gql(REJECTED, first=1, after=first["pageInfo"]["endCursor"]))["rejectedEvents"]
    assert [n["transactionId"] for n in rest["nodes"]] == ["bad-0"]
    assert rest["nodes"][0]["source"] == "REST"
    assert not rest["pageInfo"]["hasNextPage"]


async def test_a_made_up_cursor_is_refused(gql: GraphQLClient) -> None:
    response = await gql.raw(EVENTS, first=2, after="bm90LWEtY3Vyc29y")
    assert response["errors"][0]["message"] == "`after` is not a cursor this API gave out"
