"""Text PostgreSQL cannot store and JSON beyond the limits reject their event alone, on both
ingest surfaces: a typed error naming the field, the good neighbours stored and charged, the
rejection kept, and the next batch for the same customer works."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text

from app.inputs import JSON_DEPTH_MAX, JSON_KEY_MAX, JSON_SIZE_MAX, JSON_STRING_MAX
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.metering.support import ingest, setup_s1, wallet

GOOD = {"customer_external_id": "acme", "metric_code": "api_call"}
NUL = "\u0000"
GRAPHQL_NAMES = {
    "transaction_id": "transactionId",
    "customer_external_id": "customerExternalId",
    "metric_code": "metricCode",
}


def event(tid: str, **fields: Any) -> dict[str, Any]:
    return {"transaction_id": tid, **GOOD, **fields}


def nested(depth: int) -> dict[str, Any]:
    """An object ``depth`` levels deep: {"a": {"a": ... {"a": 1}}}."""
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    result: dict[str, Any] = value
    return result


CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("tid", event(f"bad{NUL}1"), "transaction_id", "invalid_characters"),
    ("customer", {**event("b2"), "customer_external_id": f"ac{NUL}me"}, "customer_external_id",
     "invalid_characters"),
    ("metric", {**event("b3"), "metric_code": f"api{NUL}call"}, "metric_code",
     "invalid_characters"),
    ("value", event("b4", properties={"region": f"eu{NUL}"}), "properties.region",
     "invalid_characters"),
    ("key", event("b5", properties={f"re{NUL}gion": "eu"}), "properties", "invalid_characters"),
    ("nested", event("b6", properties={"tags": ["ok", {"x": NUL}]}), "properties.tags[1].x",
     "invalid_characters"),
    ("timestamp", event("b7", timestamp=f"2026-01-15T12:00:00Z{NUL}"), "timestamp",
     "invalid_timestamp"),
    ("deep", event("b8", properties=nested(JSON_DEPTH_MAX + 1)),
     "properties" + ".a" * JSON_DEPTH_MAX, "too_deep"),
    ("long key", event("b9", properties={"k" * (JSON_KEY_MAX + 1): 1}), "properties", "too_long"),
    ("long value", event("b10", properties={"v": "x" * (JSON_STRING_MAX + 1)}), "properties.v",
     "too_long"),
    ("big", event("b11", properties={f"k{i}": "x" * 200 for i in range(JSON_SIZE_MAX // 200)}),
     "properties", "too_large"),
]  # fmt: skip


async def stored(runtime: Runtime) -> set[str]:
    async with runtime.db.engine.connect() as connection:
        rows = await connection.execute(text("SELECT transaction_id FROM events"))
        return {r[0] for r in rows}


async def rejected(runtime: Runtime) -> list[Any]:
    async with runtime.db.engine.connect() as connection:
        rows = await connection.execute(text("SELECT field, code, raw FROM rejected_events"))
        return list(rows)


@pytest.mark.parametrize("surface", ["http", "graphql"])
@pytest.mark.parametrize(("name", "bad", "field", "code"), CASES, ids=[c[0] for c in CASES])
async def test_a_bad_event_is_rejected_alone_and_the_customer_keeps_working(
    surface: str,
    name: str,
    bad: dict[str, Any],
    field: str,
    code: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
) -> None:
    wallet_id = await setup_s1(gql)
    batch = [event("good-1"), bad, event("good-2")]

    payload = await ingest(surface, gql, http, batch)

    assert (payload["accepted"], payload["rejected"]) == (2, 1), payload
    error = payload["results"][1]["error"]
    expected = GRAPHQL_NAMES.get(field, field) if surface == "graphql" else field
    assert (error["field"], error["code"]) == (expected, code), error
    assert await stored(runtime) == {"good-1", "good-2"}
    assert (await wallet(gql, wallet_id))["balance"] == "5998"
    [row] = await rejected(runtime)
    assert row.code == code and NUL not in row.raw and len(row.raw) <= 4096

    later = await ingest(surface, gql, http, [event("later")])
    assert later["accepted"] == 1
    assert (await wallet(gql, wallet_id))["balance"] == "5997"


async def post_raw(http: httpx.AsyncClient, key: str, body: str) -> httpx.Response:
    return await http.post(
        "/v1/events",
        content=body.encode(),
        headers={"authorization": f"Bearer {key}", "content-type": "application/json"},
    )


def good_json(tid: str) -> str:
    return orjson.dumps(event(tid)).decode()


async def test_a_lone_surrogate_rejects_its_event_only(
    gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    """JSON may spell a lone surrogate ("\\ud800"); UTF-8, and so PostgreSQL, cannot hold it."""
    wallet_id = await setup_s1(gql)
    assert gql.key is not None
    bad_tid = (
        '{"transaction_id": "s\\ud800", "customer_external_id": "acme", "metric_code": "api_call"}'
    )
    bad_value = (
        '{"transaction_id": "s2", "customer_external_id": "acme", "metric_code": "api_call",'
        ' "properties": {"note": "\\udfff"}}'
    )
    body = f'{{"events": [{good_json("good-1")}, {bad_tid}, {bad_value}, {good_json("good-2")}]}}'

    response = await post_raw(http, gql.key, body)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["accepted"], answer["rejected"]) == (2, 2)
    errors = [r.get("error") for r in answer["results"]]
    assert errors[1]["field"] == "transaction_id" and errors[1]["code"] == "invalid_characters"
    assert errors[2]["field"] == "properties.note" and errors[2]["code"] == "invalid_characters"
    assert answer["results"][1]["transaction_id"] == "s\ufffd"
    assert await stored(runtime) == {"good-1", "good-2"}
    assert (await wallet(gql, wallet_id))["balance"] == "5998"


async def test_properties_a_thousand_levels_deep_reject_their_event_only(
    gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    await setup_s1(gql)
    assert gql.key is not None
    deep = '{"a":' * 1000 + "1" + "}" * 1000
    bad = (
        '{"transaction_id": "deep", "customer_external_id": "acme", "metric_code": "api_call",'
        f' "properties": {deep}}}'
    )
    body = f'{{"events": [{good_json("good-1")}, {bad}]}}'

    response = await post_raw(http, gql.key, body)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert (answer["accepted"], answer["rejected"]) == (1, 1)
    assert answer["results"][1]["error"]["code"] == "too_deep"
    [row] = await rejected(runtime)
    assert row.raw.startswith('{"transaction_id":"deep"') and "…" in row.raw
    assert await stored(runtime) == {"good-1"}


async def test_a_body_that_is_not_json_is_still_a_400(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    await setup_s1(gql)
    assert gql.key is not None
    for body in ['{"events": [NaN]}', '{"events": "\\ud800', "\xff"]:
        response = await post_raw(http, gql.key, body)
        assert response.status_code == 400, (body, response.text)
        assert response.json()["error"]["code"] == "malformed_json"


async def test_graphql_rejects_an_infinite_number_in_a_properties_literal(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await setup_s1(gql)
    data = await gql(
        """mutation { ingestEvents(events: [
            {transactionId: "ok", customerExternalId: "acme", metricCode: "api_call"},
            {transactionId: "inf", customerExternalId: "acme", metricCode: "api_call",
             properties: {x: 1e400}},
            {transactionId: "naive", customerExternalId: "acme", metricCode: "api_call",
             timestamp: "2026-01-15T12:00:00"}]) {
          ... on IngestEventsPayload { accepted results { status error { field code } } } } }"""
    )
    payload = data["ingestEvents"]
    assert payload["accepted"] == 1
    assert payload["results"][1]["error"] == {"field": "properties", "code": "invalid"}
    assert payload["results"][2]["error"] == {"field": "timestamp", "code": "invalid_timestamp"}
    assert await stored(runtime) == {"ok"}
