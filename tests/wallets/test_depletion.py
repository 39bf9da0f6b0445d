"""Scenario S6 and the depletion policies: usage always debits; entitlement follows the policy."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import ENTITLEMENT, burn, check_wallet, create_customer, grant

UPDATE_POLICY = """
mutation($input: UpdateWalletPolicyInput!) { updateWalletPolicy(input: $input) {
  __typename
  ... on WalletPayload { wallet { policy overdraftLimit } }
  ... on Error { code field message }
} }"""


async def entitled(gql: GraphQLClient, customer: str, credits: str) -> dict[str, Any]:
    data = await gql(ENTITLEMENT, customer=customer, credits=credits)
    result: dict[str, Any] = data["entitlement"]
    return result


async def test_s6_block_policy_debt_and_entitlement(gql: GraphQLClient, runtime: Runtime) -> None:
    wallet_id = await create_customer(gql, "acme", policy="BLOCK")
    await grant(gql, wallet_id, "10", "starter")
    assert (await entitled(gql, "acme", "1"))["allowed"] is True

    debit = await burn(runtime, wallet_id, "50", "api_call")
    assert debit.balance_after == Decimal(-40)
    assert await entitled(gql, "acme", "1") == {
        "__typename": "Entitlement",
        "allowed": False,
        "reason": "insufficient credits",
        "balance": "-40",
    }

    topped = await grant(gql, wallet_id, "100", "refill", kind="FREE")
    assert topped["entry"]["credits"] == "100"
    assert topped["entry"]["balanceAfter"] == "60"
    assert topped["entry"]["grant"]["remaining"] == "60"  # the debt was paid first
    assert topped["wallet"] == {"balance": "60", "debt": "0"}
    assert await entitled(gql, "acme", "1") == {
        "__typename": "Entitlement",
        "allowed": True,
        "reason": "ok",
        "balance": "60",
    }
    assert (await entitled(gql, "acme", "60"))["allowed"] is True
    assert (await entitled(gql, "acme", "60.000001"))["allowed"] is False
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.debt == 0


async def test_overdraft_policy_allows_down_to_the_limit(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await create_customer(gql, "od", policy="OVERDRAFT", overdraft_limit="100")
    await grant(gql, wallet_id, "10", "seed")
    await burn(runtime, wallet_id, "60")
    assert (await entitled(gql, "od", "50"))["allowed"] is True  # -50 -> -100
    refused = await entitled(gql, "od", "50.5")
    assert refused["allowed"] is False and refused["reason"] == "overdraft limit reached"
    await burn(runtime, wallet_id, "50")
    assert (await entitled(gql, "od", "0"))["allowed"] is False  # at the limit
    await burn(runtime, wallet_id, "5")  # usage that happened is still recorded
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.balance == Decimal(-105) and figures.debt == Decimal(105)


async def test_allow_policy_never_blocks(gql: GraphQLClient, runtime: Runtime) -> None:
    wallet_id = await create_customer(gql, "free-rider", policy="ALLOW")
    await burn(runtime, wallet_id, "100000")
    assert await entitled(gql, "free-rider", "1000000") == {
        "__typename": "Entitlement",
        "allowed": True,
        "reason": "ok",
        "balance": "-100000",
    }
    await check_wallet(runtime.db, wallet_id)


async def test_policy_change_applies_at_once(gql: GraphQLClient, runtime: Runtime) -> None:
    wallet_id = await create_customer(gql, "switch", policy="ALLOW")
    await burn(runtime, wallet_id, "5")
    assert (await entitled(gql, "switch", "1"))["allowed"] is True
    changed = await gql(UPDATE_POLICY, input={"walletId": str(wallet_id), "policy": "BLOCK"})
    assert changed["updateWalletPolicy"]["wallet"] == {"policy": "BLOCK", "overdraftLimit": "0"}
    assert (await entitled(gql, "switch", "1"))["allowed"] is False

    missing_limit = await gql(
        UPDATE_POLICY, input={"walletId": str(wallet_id), "policy": "OVERDRAFT"}
    )
    assert missing_limit["updateWalletPolicy"]["__typename"] == "ValidationError"
    assert missing_limit["updateWalletPolicy"]["field"] == "overdraftLimit"


async def test_entitlement_bad_input_is_typed(gql: GraphQLClient) -> None:
    await create_customer(gql, "asker")
    unknown = await entitled(gql, "nobody", "1")
    assert unknown["__typename"] == "NotFoundError"
    assert unknown["field"] == "customerExternalId"
    negative = await entitled(gql, "asker", "-1")
    assert negative["__typename"] == "ValidationError" and negative["field"] == "credits"
    precise = await entitled(gql, "asker", "0.0000001")
    assert precise["__typename"] == "ValidationError" and precise["field"] == "credits"
    data = await gql(
        """{ entitlement(customerExternalId: "asker", currency: "EUR") {
            __typename ... on Error { field code } } }"""
    )
    assert data["entitlement"] == {
        "__typename": "NotFoundError",
        "field": "currency",
        "code": "not_found",
    }
