"""Operation-level guards: unexpected errors masked and logged once, a failed mutation rolled
back (the limits on a document: test_graphql_limits.py)."""

from __future__ import annotations

import logging

import pytest

from app.customers import repository
from tests.conftest import GraphQLClient


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
