"""API keys: 401 without a valid key, scopes enforced, revocation immediate, secrets shown once."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.runtime import Runtime
from tests.conftest import GraphQLClient, mint_key

CUSTOMERS = "{ customers { nodes { externalId } } }"
CREATE = """mutation { createCustomer(input: {externalId: "x", name: "X", currency: "USD"}) {
  __typename } }"""


async def _post(http: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    return await http.post("/graphql", json={"query": CUSTOMERS}, headers=headers)


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "'Authorization: Bearer"),
        ({"authorization": ""}, "'Authorization: Bearer"),
        ({"authorization": "Basic dXNlcjpwYXNz"}, "'Authorization: Bearer"),
        ({"authorization": "Bearer "}, "'Authorization: Bearer"),
        ({"authorization": "Bearer tly_unknown"}, "unknown or revoked API key"),
    ],
)
async def test_requests_without_a_valid_key_get_401(
    http: httpx.AsyncClient, headers: dict[str, str], message: str
) -> None:
    response = await _post(http, headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    [error] = response.json()["errors"]
    assert message in error["message"]
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "field": "Authorization"}


async def test_a_revoked_key_is_refused_at_once(gql: GraphQLClient, runtime: Runtime) -> None:
    created = await gql(
        """mutation { createApiKey(name: "ci", scopes: ["read"]) {
            ... on ApiKeyCreated { secret apiKey { id prefix scopes revokedAt } } } }"""
    )
    key = created["createApiKey"]
    secret, key_id = key["secret"], key["apiKey"]["id"]
    assert secret.startswith("tly_") and secret.startswith(key["apiKey"]["prefix"])
    assert key["apiKey"]["scopes"] == ["read"]
    assert (await gql.raw(CUSTOMERS, key=secret))["status"] == 200

    revoked = await gql(
        """mutation($id: ID!) { revokeApiKey(id: $id) {
            ... on ApiKeyPayload { apiKey { revokedAt } } } }""",
        id=key_id,
    )
    assert revoked["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    refused = await gql.raw(CUSTOMERS, key=secret)
    assert refused["status"] == 401
    assert "revoked" in refused["errors"][0]["message"]


async def test_revoke_unknown_key_is_not_found(gql: GraphQLClient) -> None:
    for unknown in ("404", "abc", "99999999999999999999"):
        data = await gql(
            """mutation($id: ID!) { revokeApiKey(id: $id) {
                __typename ... on Error { field code } } }""",
            id=unknown,
        )
        assert data["revokeApiKey"] == {
            "__typename": "NotFoundError",
            "field": "id",
            "code": "not_found",
        }


async def test_key_listing_never_shows_a_secret(gql: GraphQLClient) -> None:
    data = await gql("{ apiKeys { name prefix scopes } }")
    assert data["apiKeys"] == [
        {"name": "test", "prefix": data["apiKeys"][0]["prefix"], "scopes": ["admin"]}
    ]
    assert len(data["apiKeys"][0]["prefix"]) == 12


async def test_bad_scopes_are_a_typed_error(gql: GraphQLClient, runtime: Runtime) -> None:
    for scopes in ([], ["root"]):
        data = await gql(
            """mutation($scopes: [String!]!) { createApiKey(name: "x", scopes: $scopes) {
                __typename ... on Error { field code } } }""",
            scopes=scopes,
        )
        assert data["createApiKey"] == {
            "__typename": "ValidationError",
            "field": "scopes",
            "code": "invalid",
        }


def _denied(body: dict[str, Any], scope: str) -> None:
    assert body["status"] == 200
    assert not any((body["data"] or {}).values())  # a nullable field is null, else no data
    [error] = body["errors"]
    assert f"the '{scope}' scope" in error["message"], error
    assert error["extensions"] == {"code": "FORBIDDEN"}


async def test_a_read_key_cannot_run_mutations(gql: GraphQLClient, runtime: Runtime) -> None:
    reader = await mint_key(runtime, ["read"], "reader")
    assert (await gql.raw(CUSTOMERS, key=reader))["data"] == {"customers": {"nodes": []}}
    _denied(await gql.raw(CREATE, key=reader), "admin")
    _denied(await gql.raw("{ apiKeys { id } }", key=reader), "admin")
    assert (await gql(CUSTOMERS))["customers"]["nodes"] == []  # nothing was created


async def test_an_ingest_key_cannot_read_customers(gql: GraphQLClient, runtime: Runtime) -> None:
    ingest = await mint_key(runtime, ["ingest"], "backend")
    _denied(await gql.raw(CUSTOMERS, key=ingest), "read")
    _denied(await gql.raw('{ customer(externalId: "x") { id } }', key=ingest), "read")
    _denied(await gql.raw('{ wallet(id: "1") { id } }', key=ingest), "read")


async def test_several_scopes_on_one_key(gql: GraphQLClient, runtime: Runtime) -> None:
    both = await mint_key(runtime, ["read", "ingest"], "both")
    assert (await gql.raw(CUSTOMERS, key=both))["status"] == 200
    _denied(await gql.raw(CREATE, key=both), "admin")


async def test_every_refusal_of_a_caller_is_coded_forbidden(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    """Scopes, a customer token outside its customer, buying credits with a read key: each a
    GraphQL error with ``extensions.code`` FORBIDDEN (found by the fuzzer: they had none)."""
    for external_id in ("acme", "globex"):
        await gql(
            """mutation($id: String!) { createCustomer(input: {externalId: $id, name: "C",
                currency: "USD", wallet: {rate: "0.01"}}) { __typename } }""",
            id=external_id,
        )
    token = (
        await gql(
            """mutation { createCustomerToken(customerExternalId: "acme") {
                ... on CustomerToken { token } } }"""
        )
    )["createCustomerToken"]["token"]
    reader = await mint_key(runtime, ["read"], "reader")
    refused = [
        await gql.raw('{ wallet(id: "2") { balance } }', key=token),
        await gql.raw("{ customers { nodes { id } } }", key=token),
        await gql.raw("{ operators { email } }", key=reader),
        await gql.raw(
            """mutation { topUp(input: {walletId: "1", idempotencyKey: "k", credits: "10"}) {
                __typename } }""",
            key=reader,
        ),
    ]
    for body in refused:
        [error] = body["errors"]
        assert error["extensions"] == {"code": "FORBIDDEN"}, body
