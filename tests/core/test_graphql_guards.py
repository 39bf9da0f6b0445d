"""Operation-level guards: unexpected errors masked and logged once, a failed mutation rolled
back, no transaction outliving its operation (the limits on a document:
test_graphql_limits.py)."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app.customers import repository
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.metering.support import create_customer, create_metric, create_plan, subscribe


async def test_unexpected_errors_are_masked_and_logged_once(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret detail: password=hunter2")

    monkeypatch.setattr(repository, "page", broken)
    with caplog.at_level(logging.DEBUG):
        body = await gql.raw("{ customers { nodes { id } } }")
    assert body["status"] == 200
    [error] = body["errors"]
    assert error["message"] == "Unexpected error."
    assert "hunter2" not in str(body)
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1, [r.getMessage() for r in logged]
    assert logged[0].exc_info is not None
    assert isinstance(logged[0].exc_info[1], RuntimeError)


async def test_a_failed_mutation_is_rolled_back(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """An unexpected error after the customer row was flushed leaves nothing behind."""
    from app.wallets import service

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(service, "create_wallet", broken)
    with caplog.at_level(logging.ERROR):
        body = await gql.raw(
            """mutation { createCustomer(input: {externalId: "half", name: "Half",
                currency: "USD", wallet: {rate: "0.01"}}) { __typename } }"""
        )
    assert body["errors"][0]["message"] == "Unexpected error."
    monkeypatch.undo()
    data = await gql('{ customer(externalId: "half") { id } }')
    assert data["customer"] is None


async def test_a_failed_field_leaves_no_transaction_open(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    """A field refused while its sibling still waits for the database: the operation answers at
    once and the sibling finishes in the background, without a session of its own (it used to
    open one that nothing closed: a pooled connection held, idle in a transaction, with its
    locks; found by the fuzzer)."""
    await create_customer(gql, "acme")
    await create_metric(gql, "api_call")
    await create_plan(gql, "starter", [{"metricCode": "api_call", "creditPrice": "1"}])
    subscription = await subscribe(gql, "acme", "starter")
    for _ in range(5):
        body = await gql.raw(
            """query($id: ID!) { subscription(id: $id) { plan { description }
                billingPeriod(at: "1969-12-31T23:59:59Z") { closedAt } } }""",
            id=subscription,
        )
        assert body["data"] == {"subscription": None}
        assert body["errors"][0]["extensions"]["code"] == "invalid_timestamp"
        await asyncio.sleep(0.05)  # the sibling left in the background runs to its end
        assert runtime.db.engine.pool.checkedout() == 0
