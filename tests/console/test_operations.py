"""Every GraphQL document the console sends is valid against the schema, so a schema change
that breaks a page fails here rather than in a browser. The console sends only documents
registered with ``console.api.operation`` (``Console.execute`` refuses any other), and every
registered one is validated by graphql-core against the real schema."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from graphql import GraphQLSchema, parse, validate

import console
from app.runtime import Runtime
from console.api import OPERATIONS, Api, Caller, Console
from console.login.auth import principal_of
from graphql_schema.context import OperatorIdentity
from graphql_schema.schema import build_schema


def graphql_schema() -> GraphQLSchema:
    schema: GraphQLSchema = build_schema()._schema
    return schema


def every_console_module() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(console.__path__, "console.")]
    for name in names:
        importlib.import_module(name)
    return names


def errors(schema: GraphQLSchema, document: str) -> list[str]:
    return [error.message for error in validate(schema, parse(document))]


def test_every_document_the_console_sends_is_valid_against_the_schema() -> None:
    assert "console.wallets.credits" in every_console_module()
    schema = graphql_schema()
    assert len(OPERATIONS) >= 45, len(OPERATIONS)
    invalid = {document: errors(schema, document) for document in OPERATIONS}
    assert {document: found for document, found in invalid.items() if found} == {}


def test_a_document_the_schema_no_longer_offers_is_caught() -> None:
    """The check above can fail: a renamed field, a removed argument, a wrong variable type."""
    schema = graphql_schema()
    assert errors(schema, "query { customers(first: 5) { nodes { nickname } } }")
    assert errors(schema, 'query { customer(id: "acme") { name } }')
    assert errors(schema, "query Q($id: Int!) { customer(externalId: $id) { name } }")


async def test_the_console_sends_only_registered_documents(runtime: Runtime) -> None:
    identity = OperatorIdentity(1, "admin@tally.test", "admin")
    api = Api(Console(runtime, build_schema()), Caller(principal_of(identity), identity))
    with pytest.raises(LookupError):
        await api.execute("query { customers(first: 1) { nodes { name } } }")
    with pytest.raises(LookupError):
        await api.subscribe("subscription { walletUpdated(walletId: 1) { balance } }", {})
