"""Bad top-ups and rules: typed errors naming the field, and nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import count_rows, create_customer
from tests.payments.support import create_bundle, customer_with_method, rows, set_rule, top_up

WRITTEN = ("invoices", "recharges", "payments", "idempotency_keys", "outbox", "recharge_rules")


async def _counts(runtime: Runtime) -> dict[str, int]:
    return {table: await count_rows(runtime.db, table) for table in WRITTEN}


@pytest.mark.parametrize(
    ("request_", "kind", "field"),
    [
        ({"credits": "0"}, "ValidationError", "credits"),
        ({"credits": "-5"}, "ValidationError", "credits"),
        ({"credits": "0.0000001"}, "ValidationError", "credits"),
        ({"credits": "0.1"}, "ValidationError", "credits"),  # worth 0.001 USD: under a cent
        ({}, "ValidationError", "credits"),
        ({"credits": "10", "bundleCode": "starter"}, "ValidationError", "credits"),
        ({"bundleCode": "no-such-pack"}, "NotFoundError", "bundleCode"),
        ({"bundleCode": "euro-pack"}, "ValidationError", "bundleCode"),
        ({"credits": "10", "paymentMethodId": "999"}, "NotFoundError", "paymentMethodId"),
        ({"credits": "10", "paymentMethodId": "x1"}, "NotFoundError", "paymentMethodId"),
        ({"credits": "10", "idempotencyKey": " "}, "ValidationError", "idempotencyKey"),
    ],
)
async def test_a_bad_top_up_is_refused(
    request_: dict[str, Any], kind: str, field: str, gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await create_bundle(gql, "starter", "5000", "50.00")
    made = await gql(
        """mutation { createBundle(input: {code: "euro-pack", name: "Euro", credits: "10",
          price: "1.00", currency: "EUR"}) { __typename } }"""
    )
    assert made["createBundle"]["__typename"] == "BundlePayload"
    key = request_.pop("idempotencyKey", "k")
    before = await _counts(runtime)
    answer = await top_up(gql, wallet_id, key, **request_)
    assert (answer["__typename"], answer["field"]) == (kind, field), answer
    assert await _counts(runtime) == before


async def test_a_top_up_without_a_payment_method_is_refused(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await create_customer(gql, "acme")
    before = await _counts(runtime)
    answer = await top_up(gql, wallet_id, "k", credits="10")
    assert (answer["__typename"], answer["field"], answer["code"]) == (
        "ValidationError",
        "paymentMethodId",
        "no_payment_method",
    )
    assert await _counts(runtime) == before
    unknown = await top_up(gql, 424242, "k", credits="10")
    assert (unknown["__typename"], unknown["field"]) == ("NotFoundError", "walletId")


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"method": "TARGET", "threshold": "1000", "credits": "1000"}, "credits"),
        ({"method": "TARGET", "threshold": "1000", "credits": "500"}, "credits"),
        ({"threshold": "1000", "credits": "0"}, "credits"),
        ({"threshold": "1000", "credits": "-5"}, "credits"),
        ({"threshold": "1000", "credits": "5000", "discountPercent": "100"}, "discountPercent"),
        ({"threshold": "1000", "credits": "5000", "discountPercent": "-1"}, "discountPercent"),
        ({"threshold": "1000", "credits": "5000", "discountPercent": "5.125"}, "discountPercent"),
        ({"credits": "5000"}, "threshold"),
        ({"threshold": "1", "credits": "5000", "interval": "WEEKLY"}, "interval"),
        ({"trigger": "INTERVAL", "credits": "5000"}, "interval"),
        (
            {"trigger": "INTERVAL", "interval": "WEEKLY", "threshold": "1", "credits": "9"},
            "threshold",
        ),
        ({"threshold": "1000", "credits": "5000", "cooldownSeconds": -1}, "cooldownSeconds"),
        ({"threshold": "1000", "credits": "5000", "monthlyMaxRecharges": 0}, "monthlyMaxRecharges"),
        ({"threshold": "1000", "credits": "5000", "monthlyMaxAmount": "0"}, "monthlyMaxAmount"),
        ({"threshold": "1000", "credits": "5000", "monthlyMaxAmount": "1.001"}, "monthlyMaxAmount"),
    ],
)
async def test_a_bad_rule_is_refused(
    rule: dict[str, Any], field: str, gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    before = await _counts(runtime)
    answer = await set_rule(gql, wallet_id, **{"trigger": "THRESHOLD", "method": "FIXED", **rule})
    assert (answer["__typename"], answer["field"]) == ("ValidationError", field), answer
    assert await _counts(runtime) == before


async def test_a_rule_naming_someone_elses_payment_method_is_refused(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await customer_with_method(gql, "beta")
    [beta_method] = await rows(
        runtime.db,
        "SELECT m.id FROM payment_methods m JOIN customers c ON c.id = m.customer_id "
        "WHERE c.external_id = 'beta'",
    )
    before = await _counts(runtime)
    answer = await set_rule(
        gql,
        wallet_id,
        trigger="THRESHOLD",
        method="FIXED",
        threshold="1000",
        credits="5000",
        paymentMethodId=str(beta_method[0]),
    )
    assert (answer["__typename"], answer["field"]) == ("NotFoundError", "paymentMethodId")
    assert await _counts(runtime) == before
