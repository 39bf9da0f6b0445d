"""Wallet mutations: typed errors for bad input, idempotency, and one mutation = one transaction.

Every refused mutation must leave the tables exactly as they were.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.runtime import Runtime
from tests.conftest import START, GraphQLClient
from tests.core.support import (
    ERROR_FIELDS,
    burn,
    check_wallet,
    count_rows,
    create_customer,
    grant,
    void,
)

TABLES = ("customers", "wallets", "grants", "ledger_entries", "ledger_allocations")
CREATE_WALLET = f"""
mutation($input: CreateWalletInput!) {{ createWallet(input: $input) {{
  __typename
  ... on WalletPayload {{ wallet {{ id currency balance rate policy }} }}
  {ERROR_FIELDS}
}} }}"""


async def _snapshot(runtime: Runtime) -> dict[str, int]:
    return {t: await count_rows(runtime.db, t) for t in (*TABLES, "idempotency_keys")}


@pytest.fixture
async def wallet_id(gql: GraphQLClient) -> int:
    return await create_customer(gql, "acme")


@pytest.fixture
async def unchanged(runtime: Runtime, wallet_id: int) -> AsyncIterator[None]:
    """The test body may only make refused requests: every row count stays as it was."""
    before = await _snapshot(runtime)
    yield
    assert await _snapshot(runtime) == before


def _error(result: dict[str, Any], typename: str, field: str, code: str | None = None) -> None:
    assert result["__typename"] == typename, result
    assert result["field"] == field, result
    if code is not None:
        assert result["code"] == code, result
    assert result["message"]


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("0", "invalid_amount"),
        ("-5", "invalid_amount"),
        ("1.1234567", "invalid_amount"),
        ("0.0000001", "invalid_amount"),
        ("1e30", "too_large"),
        ("NaN", "invalid"),
        ("0x10", "invalid"),
        ("", "invalid"),
    ],
)
async def test_grant_rejects_bad_amounts(
    gql: GraphQLClient, wallet_id: int, amount: str, code: str
) -> None:
    result = await grant(gql, wallet_id, amount, f"bad-{amount}")
    _error(result, "ValidationError", "amount", code)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"priority": -1}, "priority"),
        ({"priority": 1001}, "priority"),
        ({"expiresAt": (START - timedelta(seconds=1)).isoformat()}, "expiresAt"),
        ({"expiresAt": START.isoformat()}, "expiresAt"),
        ({"expiresAt": "2026-03-01T00:00:00"}, "expiresAt"),
        ({"kind": "FREE", "cost": "5.00"}, "cost"),
        ({"kind": "PAID", "cost": "5.001"}, "cost"),
        ({"kind": "PAID", "cost": "-1"}, "cost"),
        ({"kind": "PAID", "cost": "1e30"}, "cost"),
        ({"reason": "x" * 501}, "reason"),
        ({"idempotencyKey": " "}, "idempotencyKey"),
        ({"idempotencyKey": "k" * 256}, "idempotencyKey"),
    ],
)
async def test_grant_rejects_bad_options(
    gql: GraphQLClient, wallet_id: int, options: dict[str, Any], field: str
) -> None:
    extra = {"idempotencyKey": "key", **options}
    key = extra.pop("idempotencyKey")
    result = await grant(gql, wallet_id, "10", key, **extra)
    _error(result, "ValidationError", field)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize("unknown", ["999", "abc", "-1", "99999999999999999999", "١٢", "²"])
async def test_unknown_wallet_ids_are_not_found(
    gql: GraphQLClient, wallet_id: int, unknown: str
) -> None:
    _error(await grant(gql, unknown, "10", "k"), "NotFoundError", "walletId", "not_found")
    _error(await void(gql, unknown, "10", "k"), "NotFoundError", "walletId", "not_found")
    data = await gql("query($id: ID!) { wallet(id: $id) { id } }", id=unknown)
    assert data["wallet"] is None


async def test_grant_is_idempotent_by_key(
    gql: GraphQLClient, runtime: Runtime, wallet_id: int
) -> None:
    first = await grant(gql, wallet_id, "25", "topup-1", reason="welcome")
    again = await grant(gql, wallet_id, "25", "topup-1", reason="welcome")
    assert again["entry"]["id"] == first["entry"]["id"]
    assert again["wallet"]["balance"] == "25"

    before = await _snapshot(runtime)
    reused = await grant(gql, wallet_id, "26", "topup-1", reason="welcome")
    _error(reused, "ConflictError", "idempotencyKey", "idempotency_key_reused")
    assert await _snapshot(runtime) == before

    # The key is scoped to the wallet and the operation: a void may use the same text.
    voided = await void(gql, wallet_id, "5", "topup-1")
    assert voided["__typename"] == "LedgerEntryPayload"
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.balance == Decimal(20) and figures.ledger_count == 2


async def test_void_larger_than_remaining_writes_nothing(
    gql: GraphQLClient, runtime: Runtime, wallet_id: int
) -> None:
    await grant(gql, wallet_id, "10", "seed")
    before = await _snapshot(runtime)
    refused = await void(gql, wallet_id, "10.000001", "too-much")
    _error(refused, "InsufficientCreditsError", "amount", "insufficient_credits")
    assert "10" in refused["message"]
    assert await _snapshot(runtime) == before  # no ledger row, no idempotency key

    # The same key is free to use for a request that succeeds.
    done = await void(gql, wallet_id, "10", "too-much")
    assert done["entry"]["credits"] == "-10" and done["wallet"]["balance"] == "0"
    await check_wallet(runtime.db, wallet_id)


async def test_void_from_one_grant(gql: GraphQLClient, runtime: Runtime, wallet_id: int) -> None:
    first = (await grant(gql, wallet_id, "10", "a"))["entry"]["grant"]["id"]
    second = (await grant(gql, wallet_id, "30", "b", kind="PAID"))["entry"]["grant"]["id"]
    refused = await void(gql, wallet_id, "11", "v1", grantId=first)
    _error(refused, "InsufficientCreditsError", "amount")
    done = await void(gql, wallet_id, "12", "v2", grantId=second, reason="refund")
    assert done["entry"]["allocations"] == [{"credits": "12", "grant": {"id": second}}]
    replay = await void(gql, wallet_id, "12", "v2", grantId=second, reason="refund")
    assert replay["entry"]["id"] == done["entry"]["id"]
    other = await void(gql, wallet_id, "12", "v2", grantId=first, reason="refund")
    _error(other, "ConflictError", "idempotencyKey", "idempotency_key_reused")
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.balance == Decimal(28)


async def test_void_needs_a_reason_and_a_known_grant(
    gql: GraphQLClient, runtime: Runtime, wallet_id: int
) -> None:
    other_wallet = await create_customer(gql, "other")
    foreign = (await grant(gql, other_wallet, "10", "x"))["entry"]["grant"]["id"]
    await grant(gql, wallet_id, "10", "mine")
    before = await _snapshot(runtime)
    _error(await void(gql, wallet_id, "1", "k", reason=" "), "ValidationError", "reason")
    _error(await void(gql, wallet_id, "1", "k", grantId=foreign), "NotFoundError", "grantId")
    _error(await void(gql, wallet_id, "1", "k", grantId="404"), "NotFoundError", "grantId")
    _error(await void(gql, wallet_id, "1", "k", grantId="x"), "NotFoundError", "grantId")
    _error(await void(gql, wallet_id, "0", "k"), "ValidationError", "amount", "invalid_amount")
    assert await _snapshot(runtime) == before


async def test_void_cannot_touch_debt(gql: GraphQLClient, runtime: Runtime, wallet_id: int) -> None:
    await grant(gql, wallet_id, "5", "seed")
    await burn(runtime, wallet_id, "8")
    refused = await void(gql, wallet_id, "1", "k")
    _error(refused, "InsufficientCreditsError", "amount")
    await check_wallet(runtime.db, wallet_id)


@pytest.mark.usefixtures("unchanged")
@pytest.mark.parametrize(
    ("wallet", "field", "code"),
    [
        ({"rate": "0"}, "rate", "invalid_rate"),
        ({"rate": "-0.01"}, "rate", "invalid_rate"),
        ({"rate": "0.0000000000001"}, "rate", None),
        ({"rate": "1e30"}, "rate", None),
        ({"rate": "NaN"}, "rate", None),
        ({"rate": "0.01", "currency": "XYZ"}, "currency", "unknown_currency"),
        ({"rate": "0.01", "currency": "us"}, "currency", "invalid"),
        ({"rate": "0.01", "currency": "USD"}, "currency", "duplicate"),
        ({"rate": "0.01", "currency": "EUR", "overdraftLimit": "5"}, "overdraftLimit", None),
        ({"rate": "0.01", "currency": "EUR", "policy": "OVERDRAFT"}, "overdraftLimit", None),
        (
            {"rate": "0.01", "currency": "EUR", "policy": "OVERDRAFT", "overdraftLimit": "-5"},
            "overdraftLimit",
            "invalid_amount",
        ),
        ({"rate": "0.01", "customerExternalId": "ghost"}, "customerExternalId", "not_found"),
    ],
)
async def test_create_wallet_rejects_bad_input(
    gql: GraphQLClient, wallet: dict[str, Any], field: str, code: str | None
) -> None:
    data = await gql(CREATE_WALLET, input={"customerExternalId": "acme", **wallet})
    result = data["createWallet"]
    assert result["__typename"] in {"ValidationError", "ConflictError", "NotFoundError"}
    _error(result, result["__typename"], field, code)


async def test_second_currency_wallet_and_signup_bonus(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    bonus = await gql(
        """mutation { setSignupBonus(credits: "1000", expiresInDays: 30) {
            ... on SignupBonusPayload { signupBonus { credits expiresInDays } } } }"""
    )
    assert bonus["setSignupBonus"]["signupBonus"] == {"credits": "1000", "expiresInDays": 30}
    wallet_id = await create_customer(gql, "newbie")
    data = await gql(
        """query($id: ID!) { wallet(id: $id) { balance
            grants { nodes { source kind remaining expiresAt } } } }""",
        id=str(wallet_id),
    )
    assert data["wallet"]["balance"] == "1000"
    assert data["wallet"]["grants"]["nodes"] == [
        {
            "source": "SIGNUP_BONUS",
            "kind": "FREE",
            "remaining": "1000",
            "expiresAt": (START + timedelta(days=30)).isoformat(),
        }
    ]
    euro = await gql(
        CREATE_WALLET, input={"customerExternalId": "newbie", "currency": "eur", "rate": "0.02"}
    )
    assert euro["createWallet"]["wallet"]["currency"] == "EUR"
    assert euro["createWallet"]["wallet"]["balance"] == "0"  # the bonus is for the first wallet
    await check_wallet(runtime.db, wallet_id)
    await check_wallet(runtime.db, int(euro["createWallet"]["wallet"]["id"]))


async def test_bundles(gql: GraphQLClient) -> None:
    create = f"""mutation($input: CreateBundleInput!) {{ createBundle(input: $input) {{
        __typename ... on BundlePayload {{ bundle {{ code credits price {{ amount currency }} }} }}
        {ERROR_FIELDS} }} }}"""
    starter = {"code": "starter", "name": "Starter Pack", "credits": "5000", "price": "50.00"}
    made = await gql(create, input={**starter, "currency": "usd"})
    assert made["createBundle"]["bundle"] == {
        "code": "starter",
        "credits": "5000",
        "price": {"amount": "50.00", "currency": "USD"},
    }
    again = await gql(create, input={**starter, "currency": "USD"})
    _error(again["createBundle"], "ConflictError", "code", "duplicate")
    cents = await gql(create, input={**starter, "code": "x", "currency": "USD", "price": "1.001"})
    _error(cents["createBundle"], "ValidationError", "price", "invalid_amount")
    yen = await gql(create, input={**starter, "code": "y", "currency": "JPY", "price": "1.5"})
    _error(yen["createBundle"], "ValidationError", "price", "invalid_amount")


async def test_concurrent_first_wallets_get_one_signup_bonus(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await gql('mutation { setSignupBonus(credits: "100") { __typename } }')
    await gql(
        """mutation { createCustomer(input: {externalId: "two", name: "Two", currency: "USD"}) {
            __typename } }"""
    )
    results = await asyncio.gather(
        *(
            gql(CREATE_WALLET, input={"customerExternalId": "two", "currency": c, "rate": "0.01"})
            for c in ("USD", "EUR", "GBP")
        )
    )
    assert {r["createWallet"]["__typename"] for r in results} == {"WalletPayload"}
    balances = sorted(r["createWallet"]["wallet"]["balance"] for r in results)
    assert balances == ["0", "0", "100"]
    assert await count_rows(runtime.db, "grants") == 1


async def test_concurrent_wallets_in_one_currency_one_conflicts(gql: GraphQLClient) -> None:
    await gql(
        """mutation { createCustomer(input: {externalId: "one", name: "One", currency: "USD"}) {
            __typename } }"""
    )
    results = await asyncio.gather(
        *(gql(CREATE_WALLET, input={"customerExternalId": "one", "rate": "0.01"}) for _ in "ab")
    )
    kinds = sorted(r["createWallet"]["__typename"] for r in results)
    assert kinds == ["ConflictError", "WalletPayload"]
