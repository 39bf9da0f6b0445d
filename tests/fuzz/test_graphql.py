"""Schemathesis over the whole GraphQL schema, with an admin key, a read key and a customer
token, on a seeded database. Every answer is checked (``checks.problems``: no 5xx, no masked
error, every execution error with a code, no null in a non-null field), no operation but a
successful mutation writes a row (``checks.written``), and nothing is logged at ERROR. The
counts go to the session's summary (``report.py``)."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest
from hypothesis import given

from tests.fuzz import checks, report
from tests.fuzz.budget import SHARES, examples, fuzzing
from tests.fuzz.conftest import World
from tests.fuzz.operations import Request, requests


async def send(world: World, request: Request, credential: str) -> tuple[int, Any]:
    response = await world.http.post(
        "/graphql",
        content=request.body(),
        headers={
            "authorization": f"Bearer {world.token(credential)}",
            "content-type": "application/json",
        },
    )
    try:
        return response.status_code, orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.status_code, response.text


async def exercise(
    world: World, request: Request, credential: str, caplog: pytest.LogCaptureFixture
) -> None:
    before = await world.tables.fingerprint(world.db)
    status, body = await send(world, request, credential)
    found = checks.problems(status, body)
    outcome = checks.outcome(status, body, request.root)
    if outcome != "ok" or request.root == "query":
        wrote = checks.written(before, await world.tables.fingerprint(world.db))
        if wrote:
            found.append(f"an operation answered {outcome} wrote to {', '.join(wrote)}")
    if world.db.engine.pool.checkedout():
        found.append("a database connection left checked out (a transaction never ended)")
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    if logged:
        found.append(f"logged at ERROR: {logged[0]}")
    report.count(credential, outcome)
    report.problems(credential, found)
    assert not found, checks.failure(request, status, body, found)


def fuzz_test(credential: str, root: str) -> Any:
    @fuzzing(examples(SHARES[credential, root]))
    @given(request=requests(root))
    async def test(request: Request, world: World, caplog: pytest.LogCaptureFixture) -> None:
        await exercise(world, request, credential, caplog)

    test.__name__ = f"test_{credential}_{root}"
    return test


test_admin_query = fuzz_test("admin", "query")
test_admin_mutation = fuzz_test("admin", "mutation")
test_read_query = fuzz_test("read", "query")
test_read_mutation = fuzz_test("read", "mutation")
test_customer_query = fuzz_test("customer", "query")
test_customer_mutation = fuzz_test("customer", "mutation")
