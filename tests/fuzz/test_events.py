"""``POST /v1/events`` as a hostile or clumsy backend would call it: a battery of hand-written
bodies (NUL, lone surrogates, JSON 1,000 deep, huge numbers, wrong types, 1,001 events, not
JSON, not UTF-8, huge strings, odd headers), then batches mixing good and bad events drawn by
Hypothesis. Never a 5xx, always a JSON answer that names what was wrong, the good events of a
batch always kept (counted in the database), every wallet's balance equal to its ledger."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text

from tests.fuzz import report
from tests.fuzz.budget import examples, fuzzing
from tests.fuzz.conftest import World
from tests.fuzz.strategies import nested
from tests.metering.support import assert_invariant

MIB = 1024 * 1024
EVENTS_SHARE = 0.012  # batches, of the GraphQL operations' total (65 by default)
GOOD = [
    {"customer_external_id": "acme", "metric_code": "api_calls"},
    {"customer_external_id": "initech", "metric_code": "gb_processed", "properties": {"gb": 3}},
    {"customer_external_id": "initech", "metric_code": "users", "properties": {"user": "u1"}},
]


def good(n: int, kind: int = 0) -> dict[str, Any]:
    return {"transaction_id": f"good-{n}", **GOOD[kind % len(GOOD)]}


def bad(n: int, kind: int = 0, **changes: Any) -> dict[str, Any]:
    return {**good(n, kind), "transaction_id": f"bad-{n}", **changes}


def _deep_text(levels: int) -> str:
    return '{"a":' * levels + "1" + "}" * levels


def _body(events: list[Any]) -> bytes:
    """JSON with non-ASCII escaped: a lone surrogate travels as ``\\ud800``."""
    return json.dumps({"events": events}).encode()


BATTERY: list[tuple[str, bytes, dict[str, str]]] = [
    ("NUL in an id", _body([good(1), bad(2, transaction_id="a\x00b")]), {}),
    ("NUL in a property key", _body([good(3), bad(4, properties={"k\x00": 1})]), {}),
    ("lone surrogate", _body([good(5), bad(6, customer_external_id="ac\ud800me")]), {}),
    (
        "properties 1,000 deep",
        b'{"events": [%s, {"transaction_id": "d", "customer_external_id": "acme", '
        b'"metric_code": "api_calls", "properties": %s}]}'
        % (json.dumps(good(7)).encode(), _deep_text(1000).encode()),
        {},
    ),
    ("a body 100,000 deep", _deep_text(100_000).encode(), {}),
    ("units overflow", _body([good(8), bad(9, 1, properties={"gb": 10**30})]), {}),
    ("a 5,000-digit number", b'{"events": [{"transaction_id": 1%s}]}' % (b"9" * 5000), {}),
    ("a float past double", b'{"events": [{"properties": {"gb": 1e999}}]}', {}),
    ("NaN", b'{"events": [{"transaction_id": "n", "properties": {"gb": NaN}}]}', {}),
    ("events not a list", b'{"events": {"transaction_id": "x"}}', {}),
    ("events empty", b'{"events": []}', {}),
    ("events missing", b"{}", {}),
    ("items of every type", _body([good(10), "x", 5, None, [], True, {"transaction_id": 7}]), {}),
    ("fields of the wrong type", _body([good(11), bad(12, timestamp=12, properties=[])]), {}),
    ("1,001 events", _body([good(20_000 + n) for n in range(1001)]), {}),
    ("not JSON", b"events=1", {}),
    ("an empty body", b"", {}),
    ("JSON null", b"null", {}),
    ("a JSON array", b"[]", {}),
    ("truncated JSON", b'{"events": [{"transaction_id": "t"', {}),
    ("not UTF-8", b'{"events": [{"transaction_id": "\xff\xfe"}]}', {}),
    ("a UTF-8 BOM", b"\xef\xbb\xbf" + _body([good(13)]), {}),
    ("UTF-16", _body([good(14)]).decode().encode("utf-16"), {}),
    ("duplicate keys", b'{"events": [], "events": 5}', {}),
    ("a 1 MB id", _body([good(15), bad(16, transaction_id="x" * MIB)]), {}),
    ("a 9 MB body", _body([bad(17, properties={"k": "x" * (9 * MIB)})]), {}),
    ("Content-Type text/plain", _body([good(18)]), {"content-type": "text/plain"}),
    ("Content-Type xml", b"<events/>", {"content-type": "application/xml"}),
    ("Content-Length huge", _body([good(19)]), {"content-length": str(10**12)}),
    ("Content-Length not a number", _body([good(21)]), {"content-length": "ten"}),
    ("Content-Length negative", _body([good(22)]), {"content-length": "-1"}),
    ("Content-Encoding gzip, plain body", _body([good(23)]), {"content-encoding": "gzip"}),
]


async def post(world: World, body: bytes | AsyncIterator[bytes], headers: dict[str, str]) -> Any:
    sent = {"authorization": f"Bearer {world.credentials.ingest}", **headers}
    sent.setdefault("content-type", "application/json")
    return await world.http.post("/v1/events", content=body, headers=sent)


async def events_stored(world: World) -> int:
    async with world.db.engine.connect() as connection:
        found: int = await connection.scalar(text("SELECT count(*) FROM events"))
    return found


def answer(response: httpx.Response) -> dict[str, Any]:
    """The JSON of an answer that is never a 5xx and always says what it refused."""
    assert response.status_code < 500, response.text[:2000]
    body: dict[str, Any] = orjson.loads(response.content)
    if response.status_code != 200:
        assert body["error"]["code"] and body["error"]["message"], body
    else:
        for result in body["results"]:
            if result["status"] == "rejected":
                assert result["error"]["code"] and result["error"]["message"], result
    return body


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    return logged


async def test_hostile_bodies_get_json_refusals_and_keep_good_events(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    failed = {}
    for name, body, headers in BATTERY:
        try:
            await _hostile(world, caplog, body, headers)
        except AssertionError as problem:
            failed[name] = str(problem)[:1500].encode("ascii", "backslashreplace").decode()
        report.count("events", "battery")
    assert not failed, failed


async def _hostile(
    world: World, caplog: pytest.LogCaptureFixture, body: bytes, headers: dict[str, str]
) -> None:
    before = await events_stored(world)
    seen = answer(await post(world, body, headers))
    stored = await events_stored(world) - before
    if "results" in seen:
        assert stored == seen["accepted"], seen
        kept = [r for r in seen["results"] if (r["transaction_id"] or "").startswith("good-")]
        assert all(r["status"] == "accepted" for r in kept), seen
    else:
        assert stored == 0, seen
    assert not errors_logged(caplog)
    assert world.db.engine.pool.checkedout() == 0
    await assert_invariant(world.db)


def _broken(event: dict[str, Any], how: str) -> dict[str, Any]:
    """A copy of ``event`` that its batch must reject (and only it)."""
    broken = dict(event)
    if how == "drop":
        del broken["transaction_id"]
    elif how in ("customer_external_id", "metric_code", "transaction_id"):
        broken[how] = {"customer_external_id": "ghost\x00", "metric_code": "nope",
                       "transaction_id": "t\ud800"}[how]  # fmt: skip
    elif how == "timestamp":
        broken["timestamp"] = "1969-12-31T23:59:59Z"
    elif how == "deep":
        broken["properties"] = nested(30)
    elif how == "huge":
        broken["properties"] = {"gb": 10**30, "user": "u" * 5000}
    else:
        broken["properties"] = "not an object"
    return broken


HOW = ["drop", "customer_external_id", "metric_code", "transaction_id", "timestamp", "deep",
       "huge", "properties"]  # fmt: skip
BATCHES = st.lists(
    st.tuples(st.integers(0, 2), st.none() | st.sampled_from(HOW)), min_size=1, max_size=25
)


@fuzzing(examples(EVENTS_SHARE))
@given(batch=BATCHES)
async def test_bad_events_never_cost_their_good_neighbours(
    world: World, caplog: pytest.LogCaptureFixture, batch: list[tuple[int, str | None]]
) -> None:
    start = await events_stored(world)
    events = []
    for kind, how in batch:
        event = {**GOOD[kind], "transaction_id": f"mix-{start}-{len(events)}"}
        events.append(event if how is None else _broken(event, how))
    body = answer(await post(world, _body(events), {}))
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["accepted" if how is None else "rejected" for _, how in batch], body
    assert await events_stored(world) - start == body["accepted"]
    assert not errors_logged(caplog)
    await assert_invariant(world.db)
    report.count("events", "batch")
