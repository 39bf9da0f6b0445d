"""Customers: creation and its typed errors, one mutation = one transaction, search, pages."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import CREATE_CUSTOMER, ERROR_FIELDS, count_rows, create_customer

UPDATE = f"""
mutation($input: UpdateCustomerInput!) {{ updateCustomer(input: $input) {{
  __typename
  ... on CustomerPayload {{ customer {{ externalId name billingEmail metadata }} }}
  {ERROR_FIELDS}
}} }}"""

PAGE = """
query($first: Int!, $after: String, $search: String) {
  customers(first: $first, after: $after, search: $search) {
    nodes { externalId }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def _create(gql: GraphQLClient, **fields: Any) -> dict[str, Any]:
    data = await gql(
        CREATE_CUSTOMER, input={"externalId": "acme", "name": "Acme", "currency": "USD", **fields}
    )
    result: dict[str, Any] = data["createCustomer"]
    return result


async def _counts(runtime: Runtime) -> tuple[int, int, int]:
    return (
        await count_rows(runtime.db, "customers"),
        await count_rows(runtime.db, "wallets"),
        await count_rows(runtime.db, "ledger_entries"),
    )


async def test_a_failed_mutation_leaves_nothing_behind(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await gql('mutation { setSignupBonus(credits: "50") { __typename } }')
    refused = await _create(gql, wallet={"rate": "0"})
    assert refused["__typename"] == "ValidationError"
    assert (refused["field"], refused["code"]) == ("rate", "invalid_rate")
    assert await _counts(runtime) == (0, 0, 0)  # the customer did not stay behind

    refused = await _create(gql, wallet={"rate": "0.01", "currency": "XYZ"})
    assert (refused["field"], refused["code"]) == ("currency", "unknown_currency")
    assert await _counts(runtime) == (0, 0, 0)

    created = await _create(gql, wallet={"rate": "0.01"})
    assert created["__typename"] == "CustomerPayload"
    assert created["wallet"]["balance"] == "50"  # signup bonus, in the same transaction
    assert await _counts(runtime) == (1, 1, 1)


@pytest.mark.parametrize(
    ("fields", "field", "code"),
    [
        ({"currency": "XYZ"}, "currency", "unknown_currency"),
        ({"currency": "us"}, "currency", "invalid"),
        ({"currency": "US1"}, "currency", "invalid"),
        ({"name": "n" * 256}, "name", "too_long"),
        ({"name": "  "}, "name", "required"),
        ({"externalId": ""}, "externalId", "required"),
        ({"externalId": "e" * 256}, "externalId", "too_long"),
        ({"billingEmail": "not-an-email"}, "billingEmail", "invalid"),
        ({"billingEmail": "a@" + "b" * 320 + ".test"}, "billingEmail", "too_long"),
        ({"metadata": [1, 2]}, "metadata", "invalid"),
        ({"wallet": {"rate": "-1"}}, "rate", "invalid_rate"),
        ({"wallet": {"rate": "0.01", "currency": "us"}}, "currency", "invalid"),
        ({"wallet": {"rate": "0.01", "policy": "OVERDRAFT"}}, "overdraftLimit", "invalid"),
    ],
)
async def test_create_rejects_bad_input(
    gql: GraphQLClient, runtime: Runtime, fields: dict[str, Any], field: str, code: str
) -> None:
    result = await _create(gql, **fields)
    assert result["__typename"] == "ValidationError", result
    assert (result["field"], result["code"]) == (field, code)
    assert await _counts(runtime) == (0, 0, 0)


async def test_a_255_character_name_is_fine(gql: GraphQLClient) -> None:
    created = await _create(gql, name="n" * 255, currency=" usd ")
    assert created["customer"]["name"] == "n" * 255


async def test_duplicate_external_id_is_a_conflict(gql: GraphQLClient, runtime: Runtime) -> None:
    await _create(gql)
    again = await _create(gql, name="Other")
    assert again["__typename"] == "ConflictError"
    assert (again["field"], again["code"]) == ("externalId", "duplicate")
    assert await count_rows(runtime.db, "customers") == 1


async def test_concurrent_creates_one_wins_one_conflicts(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    results = await asyncio.gather(
        *(_create(gql, name=f"Racer {i}", wallet={"rate": "0.01"}) for i in range(2))
    )
    assert sorted(r["__typename"] for r in results) == ["ConflictError", "CustomerPayload"]
    conflict = next(r for r in results if r["__typename"] == "ConflictError")
    assert (conflict["field"], conflict["code"]) == ("externalId", "duplicate")
    assert await _counts(runtime) == (1, 1, 0)


async def test_update_customer(gql: GraphQLClient) -> None:
    await _create(gql, billingEmail="billing@acme.test", metadata={"tier": "gold"})
    renamed = (await gql(UPDATE, input={"externalId": "acme", "name": "Acme Corp"}))[
        "updateCustomer"
    ]
    assert renamed["customer"] == {
        "externalId": "acme",
        "name": "Acme Corp",
        "billingEmail": "billing@acme.test",  # left out: unchanged
        "metadata": {"tier": "gold"},
    }
    cleared = await gql(UPDATE, input={"externalId": "acme", "billingEmail": None})
    assert cleared["updateCustomer"]["customer"]["billingEmail"] is None
    missing = (await gql(UPDATE, input={"externalId": "ghost", "name": "x"}))["updateCustomer"]
    assert (missing["__typename"], missing["field"]) == ("NotFoundError", "externalId")
    bad = (await gql(UPDATE, input={"externalId": "acme", "name": "x" * 256}))["updateCustomer"]
    assert (bad["__typename"], bad["field"], bad["code"]) == ("ValidationError", "name", "too_long")
    found = await gql('{ customer(externalId: "acme") { name } }')
    assert found["customer"] == {"name": "Acme Corp"}
    assert (await gql('{ customer(externalId: "ghost") { name } }'))["customer"] is None


async def _page(gql: GraphQLClient, **variables: Any) -> tuple[list[str], dict[str, Any]]:
    data = await gql(PAGE, **{"first": 20, "after": None, "search": None, **variables})
    page = data["customers"]
    return [n["externalId"] for n in page["nodes"]], page["pageInfo"]


async def test_cursor_pagination_walks_every_customer_once(gql: GraphQLClient) -> None:
    for i in range(25):
        await create_customer(gql, f"c{i:02}")
    seen: list[str] = []
    after = None
    for _ in range(3):
        ids, info = await _page(gql, first=10, after=after)
        seen += ids
        after = info["endCursor"]
    assert seen == [f"c{i:02}" for i in range(25)]
    assert info["hasNextPage"] is False
    empty, last = await _page(gql, first=10, after=after)
    assert empty == [] and last == {"hasNextPage": False, "endCursor": None}


async def test_search_by_name_external_id_and_email(gql: GraphQLClient) -> None:
    await create_customer(gql, "ACME-1", name="Acme Corp", email="billing@acme.test")
    await create_customer(gql, "acme-2", name="Acme Labs")
    await create_customer(gql, "globex", name="Globex", email="ap@globex.test")
    await create_customer(gql, "under_score", name="100% Real")
    await create_customer(gql, "underXscore", name="Other")

    assert (await _page(gql, search="acme"))[0] == ["ACME-1", "acme-2"]
    assert (await _page(gql, search="ACME L"))[0] == ["acme-2"]
    assert (await _page(gql, search="acme-1"))[0] == ["ACME-1"]  # external id, any case
    assert (await _page(gql, search="glo"))[0] == ["globex"]
    assert (await _page(gql, search="AP@globex.test"))[0] == ["globex"]
    assert (await _page(gql, search="ap@globex"))[0] == []  # email matches whole only
    assert (await _page(gql, search="under_"))[0] == ["under_score"]  # "_" is literal
    assert (await _page(gql, search="100%"))[0] == ["under_score"]  # "%" is literal
    assert (await _page(gql, search="corp"))[0] == []  # a prefix, not a substring
    ids, info = await _page(gql, search="acme", first=1)
    assert ids == ["ACME-1"] and info["hasNextPage"] is True
    assert (await _page(gql, search="acme", after=info["endCursor"]))[0] == ["acme-2"]


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 0}, "`first` must be between 1 and 200"),
        ({"first": 500}, "`first` must be between 1 and 200"),
        ({"first": -1}, "`first` must be between 1 and 200"),
        ({"after": "not-a-cursor"}, "`after` is not a cursor"),
        ({"after": _cursor(b"id:x")}, "`after` is not a cursor"),
        ({"after": _cursor(b"id:99999999999999999999")}, "`after` is not a cursor"),
        ({"after": _cursor(b"\xff\xfe")}, "`after` is not a cursor"),
        ({"after": _cursor(b"page:3")}, "`after` is not a cursor"),
    ],
)
async def test_bad_page_arguments_are_errors(
    gql: GraphQLClient, variables: dict[str, Any], message: str
) -> None:
    body = await gql.raw(PAGE, **{"first": 20, "after": None, "search": None, **variables})
    assert body["status"] == 200 and body["data"] is None
    [error] = body["errors"]
    assert message in error["message"]
    assert error["message"] != "Unexpected error."


async def test_ledger_pages_are_newest_first(gql: GraphQLClient, runtime: Runtime) -> None:
    from tests.core.support import burn, grant

    wallet_id = await create_customer(gql, "history")
    await grant(gql, wallet_id, "100", "g")
    for i in range(1, 6):
        await burn(runtime, wallet_id, str(i))
    query = """query($id: ID!, $after: String) { wallet(id: $id) {
        ledgerEntries(first: 4, after: $after) {
          nodes { credits } pageInfo { hasNextPage endCursor } } } }"""
    first = (await gql(query, id=str(wallet_id)))["wallet"]["ledgerEntries"]
    assert [n["credits"] for n in first["nodes"]] == ["-5", "-4", "-3", "-2"]
    assert first["pageInfo"]["hasNextPage"] is True
    after = first["pageInfo"]["endCursor"]
    second = (await gql(query, id=str(wallet_id), after=after))["wallet"]["ledgerEntries"]
    assert [n["credits"] for n in second["nodes"]] == ["-1", "100"]
    assert second["pageInfo"]["hasNextPage"] is False
    bad = await gql.raw(
        "query($id: ID!) { wallet(id: $id) { grants(first: 201) { nodes { id } } } }",
        id=str(wallet_id),
    )
    assert "between 1 and 200" in bad["errors"][0]["message"]
