"""Operation-level guards: the depth limit, and unexpected errors masked and logged once."""

from __future__ import annotations

import logging

import pytest

from app.customers import repository
from tests.conftest import GraphQLClient
from tests.core.support import create_customer


def _nested(depth: int) -> str:
    """customers > nodes > wallets > customer > wallets > ... > id, with ``depth`` levels of
    nesting below the root field (how the depth limit counts: the root field is depth 0)."""
    fields = ["customers", "nodes"]
    while len(fields) < depth:
        fields += ["wallets", "customer"][: depth - len(fields)]
    inner = "id"
    for field in reversed(fields):
        inner = f"{field} {{ {inner} }}"
    return "{ " + inner + " }"


async def test_queries_ten_levels_deep_run(gql: GraphQLClient) -> None:
    await create_customer(gql, "deep")
    data = await gql(_nested(10))
    assert data["customers"]["nodes"][0]["wallets"][0]["customer"]["wallets"]


async def test_a_query_deeper_than_ten_levels_is_rejected(gql: GraphQLClient) -> None:
    await create_customer(gql, "deep")
    body = await gql.raw(_nested(11))
    assert body["data"] is None
    [error] = body["errors"]
    assert "exceeds maximum operation depth of 10" in error["message"]


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
