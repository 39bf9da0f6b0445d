"""Mutations taking amounts: a value, or a sum it makes, past the documented limits is a typed
``ValidationError`` naming the field (``too_large``) and writes nothing — never an overflow."""

from __future__ import annotations

from typing import Any

import pytest

from app.money import CREDITS_LIMIT
from tests.conftest import GraphQLClient
from tests.core.support import create_customer

ERROR = "__typename ... on Error { code field message }"
GRANT = f"""mutation($input: GrantCreditsInput!) {{ grantCredits(input: $input) {{ {ERROR} }} }}"""
BALANCE = "query($id: ID!) { wallet(id: $id) { balance } }"


def refused(result: dict[str, Any], field: str) -> None:
    assert (result["__typename"], result["field"], result["code"]) == (
        "ValidationError",
        field,
        "too_large",
    ), result


async def test_a_grant_may_not_take_a_balance_past_the_limit(gql: GraphQLClient) -> None:
    wallet_id = await create_customer(gql, "acme")
    grant = {"walletId": wallet_id, "amount": str(CREDITS_LIMIT), "idempotencyKey": "a"}
    assert (await gql(GRANT, input=grant))["grantCredits"]["__typename"] == "LedgerEntryPayload"

    again = await gql(GRANT, input={**grant, "amount": "0.000001", "idempotencyKey": "b"})

    refused(again["grantCredits"], "amount")
    balance = (await gql(BALANCE, id=wallet_id))["wallet"]["balance"]
    assert balance == str(CREDITS_LIMIT)


async def test_a_top_up_costing_more_than_the_money_limit_is_refused(gql: GraphQLClient) -> None:
    data = await gql(
        """mutation { createCustomer(input: {externalId: "rich", name: "Rich", currency: "USD",
            wallet: {rate: "100"}}) { ... on CustomerPayload { wallet { id } } } }"""
    )
    wallet_id = data["createCustomer"]["wallet"]["id"]
    result = await gql(
        f"""mutation($id: ID!) {{ topUp(input: {{walletId: $id, idempotencyKey: "t",
            credits: "1000000000000"}}) {{ {ERROR} }} }}""",
        id=wallet_id,
    )
    refused(result["topUp"], "credits")


@pytest.mark.parametrize(
    ("query", "name", "field"),
    [
        (
            """mutation { createCustomer(input: {externalId: "o", name: "O", currency: "USD",
                wallet: {rate: "0.01", policy: OVERDRAFT, overdraftLimit: "1e16"}}) { %s } }""",
            "createCustomer",
            "overdraftLimit",
        ),
        (
            """mutation { createBundle(input: {code: "b", name: "B", credits: "10",
                price: "100000000000000", currency: "USD"}) { %s } }""",
            "createBundle",
            "price",
        ),
        (
            """mutation { createBundle(input: {code: "b", name: "B", credits: "1e16",
                price: "1", currency: "USD"}) { %s } }""",
            "createBundle",
            "credits",
        ),
        (
            """mutation { createPlan(input: {code: "p", name: "P", currency: "USD",
                baseFee: "1e14"}) { %s } }""",
            "createPlan",
            "baseFee",
        ),
        (
            """mutation { setSignupBonus(credits: "1000000000000001") { %s } }""",
            "setSignupBonus",
            "credits",
        ),
    ],
)
async def test_an_amount_past_its_limit_is_refused(
    gql: GraphQLClient, query: str, name: str, field: str
) -> None:
    refused((await gql(query % ERROR))[name], field)


async def test_tier_bounds_and_entitlement_units_have_limits(gql: GraphQLClient) -> None:
    await create_customer(gql, "acme")
    await gql(
        """mutation { createMetric(input: {code: "gb", name: "GB", unitSingular: "GB",
            unitPlural: "GB", aggregation: SUM, property: "gb"}) { __typename } }"""
    )
    plan = await gql(
        f"""mutation {{ createPlan(input: {{code: "p", name: "P", currency: "USD",
            moneyCharges: [{{metricCode: "gb", model: GRADUATED, tiers: [
              {{upTo: "1e16", unitPrice: "1"}}, {{unitPrice: "0.5"}}]}}]}}) {{ {ERROR} }} }}"""
    )
    refused(plan["createPlan"], "moneyCharges[0].tiers[0].upTo")
    entitled = await gql(
        f"""{{ entitlement(customerExternalId: "acme", metricCode: "gb", units: "1e16") {{
            {ERROR} }} }}"""
    )
    refused(entitled["entitlement"], "units")
