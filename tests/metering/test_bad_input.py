"""Each bad input gets a clear error naming the field; good neighbours are still accepted and
nothing is charged twice. Whole-request problems are refused before anything is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.clock import FrozenClock
from tests.conftest import GraphQLClient, mint_key
from tests.metering.support import (
    create_metric,
    ingest,
    ingest_graphql,
    post_events,
    setup_s1,
    wallet,
)

GOOD = {"customer_external_id": "acme", "metric_code": "api_call"}


def good(n: int) -> dict[str, Any]:
    return {"transaction_id": f"good-{n}", **GOOD}


async def setup(gql: GraphQLClient) -> str:
    wallet_id = await setup_s1(gql)
    await create_metric(gql, "gb_stored", "SUM", "GB", "GB", prop="gb")
    await gql(
        """mutation { updatePlan(input: {code: "starter", charges: [
            {metricCode: "api_call", creditPrice: "1"},
            {metricCode: "report_generated", creditPrice: "50"},
            {metricCode: "gb_stored", creditPrice: "100"}]}) { __typename } }"""
    )
    return wallet_id


def bad_events(clock: FrozenClock) -> list[tuple[dict[str, Any], str, str]]:
    """(event, field, words in the message) for every per-event mistake."""
    now = clock.now()
    return [
        ({"customer_external_id": "acme", "metric_code": "api_call"}, "transaction_id", "required"),
        (
            {
                "transaction_id": "b1",
                "customer_external_id": "acme",
                "metric_code": "gb_stored",
                "properties": {"gb": "lots"},
            },
            "properties.gb",
            "must be a number",
        ),
        (
            {"transaction_id": "b2", "customer_external_id": "acme", "metric_code": "gb_stored"},
            "properties.gb",
            "is required",
        ),
        (
            {"transaction_id": "b3", "customer_external_id": "acme", "metric_code": "nope"},
            "metric_code",
            "no metric with code 'nope'",
        ),
        (
            {"transaction_id": "b4", "customer_external_id": "ghost", "metric_code": "api_call"},
            "customer_external_id",
            "no customer with external id 'ghost'",
        ),
        (
            {"transaction_id": "b5", **GOOD, "timestamp": (now - timedelta(days=8)).isoformat()},
            "timestamp",
            "more than 7 days in the past",
        ),
        (
            {"transaction_id": "b6", **GOOD, "timestamp": (now + timedelta(hours=1)).isoformat()},
            "timestamp",
            "more than 300 seconds in the future",
        ),
        ({"transaction_id": "b7", **GOOD, "timestamp": "yesterday"}, "timestamp", "ISO 8601"),
        (
            {"transaction_id": "b8", **GOOD, "timestamp": "2026-01-15T11:00:00"},
            "timestamp",
            "time zone",
        ),
        ({"transaction_id": "b9", **GOOD, "properties": [1, 2]}, "properties", "JSON object"),
        (
            {
                "transaction_id": "b10",
                "customer_external_id": "acme",
                "metric_code": "gb_stored",
                "properties": {"gb": -1},
            },
            "properties.gb",
            "must not be negative",
        ),
    ]


async def test_http_rejects_each_bad_event_and_keeps_its_neighbours(
    gql: GraphQLClient, http: httpx.AsyncClient, clock: FrozenClock
) -> None:
    wallet_id = await setup(gql)
    cases = bad_events(clock)
    events: list[dict[str, Any]] = []
    for n, (event, _, _) in enumerate(cases):
        events += [good(2 * n), event, good(2 * n + 1)]
    events.append(
        {
            "transaction_id": "gb-ok",
            "customer_external_id": "acme",
            "metric_code": "gb_stored",
            "properties": {"gb": 1.5},
        }
    )

    payload = await ingest("http", gql, http, events)

    assert payload["accepted"] == 2 * len(cases) + 1 and payload["rejected"] == len(cases)
    for n, (_, field, words) in enumerate(cases):
        result = payload["results"][3 * n + 1]
        assert result["status"] == "REJECTED", result
        assert result["error"]["field"] == field and words in result["error"]["message"], result
    # 22 good api calls (1 credit) and 1.5 GB (150 credits), nothing else.
    assert (await wallet(gql, wallet_id))["balance"] == str(6000 - 2 * len(cases) - 150)

    again = await ingest("http", gql, http, events)
    assert again["accepted"] == 0 and again["duplicates"] == 2 * len(cases) + 1
    assert (await wallet(gql, wallet_id))["balance"] == str(6000 - 2 * len(cases) - 150)


async def test_graphql_rejects_bad_events_by_field_and_keeps_the_rest(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    wallet_id = await setup(gql)
    cases = [c for c in bad_events(clock) if c[1] != "transaction_id" and "ISO" not in c[2]]
    cases = [c for c in cases if "time zone" not in c[2]]
    events = [good(0)] + [c[0] for c in cases] + [good(1)]

    payload = await ingest_graphql(gql, events)

    assert (payload["accepted"], payload["rejected"]) == (2, len(cases))
    spelled = {"metric_code": "metricCode", "customer_external_id": "customerExternalId"}
    for n, (_, field, words) in enumerate(cases, start=1):
        error = payload["results"][n]["error"]
        assert error["field"] == spelled.get(field, field) and words in error["message"], error
    assert (await wallet(gql, wallet_id))["balance"] == "5998"


async def test_graphql_refuses_a_batch_with_a_mistyped_event_and_stores_nothing(
    gql: GraphQLClient,
) -> None:
    wallet_id = await setup(gql)
    body = await gql.raw(
        "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { __typename } }",
        e=[
            {"transactionId": "ok", "customerExternalId": "acme", "metricCode": "api_call"},
            {"customerExternalId": "acme", "metricCode": "api_call"},
        ],
    )
    assert "transactionId" in body["errors"][0]["message"]
    assert (await wallet(gql, wallet_id))["balance"] == "6000"


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b'{"events": [', 400, "malformed_json"),
        (b"[1, 2]", 400, "invalid"),
        (b'{"events": {}}', 400, "invalid"),
        (b'{"events": []}', 400, "required"),
    ],
)
async def test_http_refuses_a_malformed_body(
    gql: GraphQLClient, http: httpx.AsyncClient, content: bytes, status: int, code: str
) -> None:
    await setup(gql)
    assert gql.key is not None
    response = await http.post(
        "/v1/events", content=content, headers={"authorization": f"Bearer {gql.key}"}
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]


async def test_more_than_1000_events_are_refused_whole(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    wallet_id = await setup(gql)
    events = [good(n) for n in range(1001)]
    assert gql.key is not None

    response = await post_events(http, gql.key, {"events": events})
    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_many",
        "field": "events",
        "message": "has 1001 events; a batch holds at most 1,000",
    }
    payload = await ingest_graphql(gql, events)
    assert payload["__typename"] == "ValidationError" and payload["field"] == "events"
    assert (await wallet(gql, wallet_id))["balance"] == "6000"


async def test_a_body_over_8_mib_is_not_read_to_its_end(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    """A body sent without ``Content-Length`` (chunked) is read no further than the limit: a
    client streaming 64 MiB gets its 413 after 8 MiB, not after its last byte (it was read
    whole, into memory; found by the fuzz suite)."""
    mib = 1024 * 1024
    read = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal read
        yield b'{"events": [{"transaction_id": "'
        for _ in range(64):
            read += mib
            yield b"x" * mib

    response = await http.post(
        "/v1/events", content=endless(), headers={"authorization": f"Bearer {gql.key}"}
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert read <= 10 * mib


async def test_keys_without_the_ingest_scope_are_refused(
    gql: GraphQLClient, http: httpx.AsyncClient, runtime: Any
) -> None:
    wallet_id = await setup(gql)
    body = {"events": [good(1)]}
    reader = await mint_key(runtime, ["read"])
    ingester = await mint_key(runtime, ["ingest"])

    missing = await http.post("/v1/events", json=body)
    assert missing.status_code == 401 and missing.json()["error"]["field"] == "Authorization"
    wrong = await post_events(http, "tly_not-a-key", body)
    assert wrong.status_code == 401
    forbidden = await post_events(http, reader, body)
    assert forbidden.status_code == 403 and "ingest" in forbidden.json()["error"]["message"]
    graphql = await gql.raw(
        "mutation($e: [EventInput!]!) { ingestEvents(events: $e) { __typename } }",
        key=reader,
        e=[{"transactionId": "x", "customerExternalId": "acme", "metricCode": "api_call"}],
    )
    assert "ingest" in graphql["errors"][0]["message"]
    assert (await wallet(gql, wallet_id))["balance"] == "6000"

    allowed = await post_events(http, ingester, body)
    assert allowed.status_code == 200 and allowed.json()["accepted"] == 1
    assert (await wallet(gql, wallet_id))["balance"] == "5999"
