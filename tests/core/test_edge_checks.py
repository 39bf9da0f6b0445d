"""Every argument of every query and mutation is checked at the edge: text PostgreSQL cannot
store, overlong strings, JSON beyond its limits, lists too long and values a scalar cannot
read get a typed error naming the argument — the mutation's ``ValidationError`` (nothing
written), or a GraphQL error with ``extensions.code`` and ``extensions.field`` — for an admin
key and a customer token alike, from a literal or a variable alike. Never "Unexpected error."
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
)

from app.inputs import LIST_MAX, TEXT_MAX
from graphql_schema.schema import build_schema
from tests.conftest import GraphQLClient
from tests.core.support import create_customer

SCHEMA = build_schema()._schema
NUL = "\u0000"
# What to send for each scalar when another argument is the bad one.
GOOD = {
    "String": "x",
    "ID": "1",
    "Int": 1,
    "Float": 1.0,
    "Boolean": True,
    "Credits": "1",
    "Decimal": "1",
    "DateTime": "2026-01-20T00:00:00Z",
    "JSON": {},
}
BAD_TEXT = {"String": f"x{NUL}", "ID": f"1{NUL}"}
BAD_SCALARS = {"Credits": "NaN", "Decimal": "0x10", "DateTime": "2026-01-20T00:00:00"}


def _value(type_: GraphQLInputType, bad: dict[str, Any], depth: int = 0) -> Any:
    """A value for ``type_`` with every field filled: ``bad`` for the scalars it names."""
    if isinstance(type_, GraphQLNonNull):
        return _value(type_.of_type, bad, depth)
    if isinstance(type_, GraphQLList):
        return [_value(type_.of_type, bad, depth)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        if depth > 3:
            return None
        return {n: _value(f.type, bad, depth + 1) for n, f in type_.fields.items()}
    assert isinstance(type_, GraphQLScalarType)
    return bad.get(type_.name, GOOD[type_.name])


def _uses(type_: GraphQLInputType, names: set[str], depth: int = 0) -> bool:
    while isinstance(type_, (GraphQLNonNull, GraphQLList)):
        type_ = type_.of_type
    if isinstance(type_, GraphQLInputObjectType):
        return depth <= 3 and any(_uses(f.type, names, depth + 1) for f in type_.fields.values())
    return isinstance(type_, GraphQLScalarType) and type_.name in names


def _operation(kind: str, name: str, field: GraphQLField) -> str:
    variables = ", ".join(f"${a}: {arg.type}" for a, arg in field.args.items())
    arguments = ", ".join(f"{a}: ${a}" for a in field.args)
    returned = field.type
    while isinstance(returned, (GraphQLNonNull, GraphQLList)):
        returned = returned.of_type
    selection = ""
    if isinstance(returned, GraphQLUnionType):
        selection = " { __typename ... on Error { code field message } }"
    elif isinstance(returned, GraphQLObjectType):
        selection = " { __typename }"
    return f"{kind}({variables}) {{ {name}({arguments}){selection} }}"


def _fields(names: set[str]) -> list[tuple[str, str, GraphQLField]]:
    """The root fields with an argument of these scalars (but ingestEvents, which rejects
    each bad event on its own: tests/metering/test_hostile_input.py)."""
    found = []
    for kind, root in (("query", SCHEMA.query_type), ("mutation", SCHEMA.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            if name == "ingestEvents":
                continue
            if any(_uses(arg.type, names) for arg in field.args.values()):
                found.append((kind, name, field))
    return found


TEXT_FIELDS = _fields(set(BAD_TEXT))
SCALAR_FIELDS = _fields(set(BAD_SCALARS))


def _typed(body: dict[str, Any], name: str) -> dict[str, Any]:
    """The typed error of the answer: a payload's ValidationError or a GraphQL error's
    extensions. Fails on anything else (an unexpected error, a success)."""
    assert body["status"] == 200, body
    assert "Unexpected error." not in str(body), body
    payload = (body.get("data") or {}).get(name)
    if isinstance(payload, dict) and payload.get("__typename") == "ValidationError":
        return payload
    [error] = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    return extensions


@pytest.mark.parametrize(("kind", "name", "field"), TEXT_FIELDS, ids=[f[1] for f in TEXT_FIELDS])
async def test_every_string_argument_refuses_nul(
    gql: GraphQLClient, kind: str, name: str, field: GraphQLField
) -> None:
    variables = {a: _value(arg.type, BAD_TEXT) for a, arg in field.args.items()}
    body = await gql.raw(_operation(kind, name, field), **variables)
    assert _typed(body, name)["code"] == "invalid_characters", body


@pytest.mark.parametrize(
    ("kind", "name", "field"), SCALAR_FIELDS, ids=[f[1] for f in SCALAR_FIELDS]
)
async def test_every_scalar_argument_refuses_what_it_cannot_read(
    gql: GraphQLClient, kind: str, name: str, field: GraphQLField
) -> None:
    variables = {a: _value(arg.type, BAD_SCALARS) for a, arg in field.args.items()}
    body = await gql.raw(_operation(kind, name, field), **variables)
    assert _typed(body, name)["code"] in {"invalid", "invalid_timestamp"}, body


async def token_for(gql: GraphQLClient, external_id: str) -> str:
    data = await gql(
        """mutation($c: String!) { createCustomerToken(customerExternalId: $c) {
            ... on CustomerToken { token } } }""",
        c=external_id,
    )
    token: str = data["createCustomerToken"]["token"]
    return token


CUSTOMER = """query($id: String!) { customer(externalId: $id) { externalId } }"""


async def test_a_query_argument_gets_a_graphql_error_naming_it(gql: GraphQLClient) -> None:
    await create_customer(gql, "acme")
    token = await token_for(gql, "acme")
    for key in (gql.key, token):
        for body in (
            await gql.raw(CUSTOMER, key=key, id=f"ac{NUL}me"),
            await gql.raw('{ customer(externalId: "ac\\u0000me") { externalId } }', key=key),
        ):
            [error] = body["errors"]
            assert error["extensions"] == {"code": "invalid_characters", "field": "externalId"}
            assert error["message"].startswith("externalId must not contain a NUL character")
        long = await gql.raw(CUSTOMER, key=key, id="x" * (TEXT_MAX + 1))
        assert long["errors"][0]["extensions"]["code"] == "too_long"
        fine = await gql.raw(CUSTOMER, key=key, id="acme")
        assert fine["data"]["customer"] == {"externalId": "acme"}


async def test_a_json_variable_1000_levels_deep_gets_the_typed_refusal(
    gql: GraphQLClient,
) -> None:
    """As deep as a body may nest (orjson reads 1,023 levels; deeper is a 400): the typed
    ``too_deep`` naming the field, never graphql-core's "maximum recursion depth exceeded"."""
    await create_customer(gql, "acme")
    levels = 1000
    metadata = '{"a":' * levels + "1" + "}" * levels
    query = (
        'mutation($m: JSON) { updateCustomer(input: {externalId: \\"acme\\", metadata: $m}) '
        "{ __typename ... on Error { code field } } }"
    )
    body = '{"query": "' + query + '", "variables": {"m": ' + metadata + "}}"
    response = await gql.http.post(
        "/graphql",
        content=body.encode(),
        headers={"authorization": f"Bearer {gql.key}", "content-type": "application/json"},
    )
    answer = response.json()["data"]["updateCustomer"]
    assert answer == {"__typename": "ValidationError", "code": "too_deep",
                      "field": "metadata" + ".a" * 16}  # fmt: skip


async def test_a_query_refused_by_the_domain_names_its_code_and_field(
    gql: GraphQLClient,
) -> None:
    """A query has no typed errors: a page size out of range, an unknown external id or a
    cursor Tally never gave out is a GraphQL error whose extensions carry the domain's code and
    field (found by the fuzzer: they had only a message)."""
    cases = [
        ('{ recharges(walletId: "1", first: 0) { nodes { id } } }', "invalid", "first"),
        ('{ recharges(walletId: "99") { nodes { id } } }', "not_found", "walletId"),
        ('{ invoices(after: "bm9uc2Vuc2U=") { nodes { id } } }', "invalid", "after"),
        ('{ usageByMetric(customerExternalId: "nobody") { metricCode } }', "not_found",
         "customerExternalId"),
        ("{ usageByMetric(customerExternalId: \"acme\", days: 0) { metricCode } }", "invalid",
         "days"),
    ]  # fmt: skip
    await create_customer(gql, "acme")
    for query, code, field in cases:
        body = await gql.raw(query)
        [error] = body["errors"]
        assert error["extensions"] == {"code": code, "field": field}, body


CREATE = """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
  __typename ... on Error { code field message } } }"""
GRANT = """mutation($input: GrantCreditsInput!) { grantCredits(input: $input) {
  __typename ... on Error { code field message } } }"""


def deep(levels: int) -> dict[str, Any]:
    value: Any = 1
    for _ in range(levels):
        value = {"a": value}
    result: dict[str, Any] = value
    return result


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"name": f"Ac{NUL}me"}, "name", "invalid_characters"),
        ({"billingEmail": f"a@b{NUL}.test"}, "billingEmail", "invalid_characters"),
        ({"metadata": {f"k{NUL}": "v"}}, "metadata", "invalid_characters"),
        ({"metadata": {"k": ["ok", f"v{NUL}"]}}, "metadata.k[1]", "invalid_characters"),
        ({"metadata": deep(17)}, "metadata" + ".a" * 16, "too_deep"),
        ({"metadata": {"k": "x" * 20000}}, "metadata.k", "too_long"),
        ({"wallet": {"rate": "NaN"}}, "wallet.rate", "invalid"),
        ({"wallet": {"rate": "0.01", "overdraftLimit": "1e999999"}}, "wallet.overdraftLimit",
         "too_large"),
    ],
)  # fmt: skip
async def test_a_mutation_answers_its_validation_error_and_writes_nothing(
    gql: GraphQLClient, change: dict[str, Any], field: str, code: str
) -> None:
    base = {"externalId": "acme", "name": "Acme", "currency": "USD"}
    data = await gql(CREATE, input={**base, **change})
    result = data["createCustomer"]
    assert (result["__typename"], result["field"], result["code"]) == (
        "ValidationError",
        field,
        code,
    ), result
    assert (await gql('{ customer(externalId: "acme") { id } }'))["customer"] is None
    assert (await gql(CREATE, input=base))["createCustomer"]["__typename"] == "CustomerPayload"


@pytest.mark.parametrize(
    "amount", ["NaN", "", "0x10", "1e999999", "Infinity", "-Infinity", "1_000", "١٢", "1e-999999"]
)
async def test_a_credits_literal_and_variable_get_the_same_typed_error(
    gql: GraphQLClient, amount: str
) -> None:
    wallet_id = await create_customer(gql, "acme")
    literal = await gql(
        f"""mutation {{ grantCredits(input: {{walletId: {wallet_id}, amount: "{amount}",
            idempotencyKey: "k"}}) {{ __typename ... on Error {{ code field message }} }} }}"""
    )
    request = {"walletId": wallet_id, "amount": amount, "idempotencyKey": "k"}
    variable = await gql(GRANT, input=request)
    assert literal == variable
    result = literal["grantCredits"]
    assert (result["__typename"], result["field"]) == ("ValidationError", "amount"), result
    balance = await gql("query($id: ID!) { wallet(id: $id) { balance } }", id=wallet_id)
    assert balance["wallet"]["balance"] == "0"


async def test_non_string_credits_literals_are_refused_too(gql: GraphQLClient) -> None:
    for literal in ["true", "[1]", "{a: 1}", "SOME_ENUM"]:
        data = await gql(
            f"mutation {{ setSignupBonus(credits: {literal}) {{ __typename "
            "... on Error { code field } } }"
        )
        assert data["setSignupBonus"] == {
            "__typename": "ValidationError",
            "code": "invalid",
            "field": "credits",
        }


async def test_a_list_too_long_is_refused(gql: GraphQLClient) -> None:
    data = await gql(
        """mutation($s: [String!]!) { createApiKey(name: "k", scopes: $s) {
            __typename ... on Error { code field } } }""",
        s=["read"] * (LIST_MAX + 1),
    )
    expected = {"__typename": "ValidationError", "code": "too_many", "field": "scopes"}
    assert data["createApiKey"] == expected


async def test_a_customer_token_gets_typed_errors_too(gql: GraphQLClient) -> None:
    await create_customer(gql, "acme")
    token = await token_for(gql, "acme")
    body = await gql.raw(
        """query { entitlement(customerExternalId: "acme", credits: "NaN") {
            __typename ... on Error { code field } } }""",
        key=token,
    )
    assert body["data"]["entitlement"] == {
        "__typename": "ValidationError",
        "code": "invalid",
        "field": "credits",
    }
    nul = await gql.raw(
        """query($m: String) { entitlement(customerExternalId: "acme", metricCode: $m) {
            __typename ... on Error { code field } } }""",
        key=token,
        m=f"api{NUL}",
    )
    assert nul["data"]["entitlement"]["field"] == "metricCode"
