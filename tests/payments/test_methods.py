"""Payment methods on file: the first is the default, one default at a time, typed errors."""

from __future__ import annotations

from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import count_rows
from tests.payments.support import add_method, customer_with_method

METHODS = """query($c: String!) { paymentMethods(customerExternalId: $c) {
  id provider reference isDefault } }"""

SET_DEFAULT = """mutation($c: String!, $m: ID!) {
  setDefaultPaymentMethod(input: {customerExternalId: $c, paymentMethodId: $m}) {
    __typename ... on Error { code field } } }"""


async def _defaults(gql: GraphQLClient) -> list[tuple[str, bool]]:
    found = (await gql(METHODS, c="acme"))["paymentMethods"]
    return [(m["reference"], m["isDefault"]) for m in found]


async def test_the_first_method_is_the_default_until_another_is_chosen(
    gql: GraphQLClient,
) -> None:
    await customer_with_method(gql, "acme")
    second = await add_method(gql, "acme", "pm_sandbox_decline", label="backup")
    assert second["paymentMethod"]["isDefault"] is False
    assert second["paymentMethod"]["provider"] == "SANDBOX"
    assert await _defaults(gql) == [("pm_sandbox_ok", True), ("pm_sandbox_decline", False)]
    chosen = await gql(SET_DEFAULT, c="acme", m=second["paymentMethod"]["id"])
    assert chosen["setDefaultPaymentMethod"]["__typename"] == "PaymentMethodPayload"
    assert await _defaults(gql) == [("pm_sandbox_ok", False), ("pm_sandbox_decline", True)]
    third = await add_method(gql, "acme", "pm_sandbox_late_fail", makeDefault=True)
    assert third["paymentMethod"]["isDefault"] is True
    assert [d for _, d in await _defaults(gql)] == [False, False, True]


async def test_bad_methods_are_typed_errors_and_write_nothing(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await customer_with_method(gql, "acme", None)
    unknown = await add_method(gql, "acme", "pm_card_visa")  # not a sandbox method
    assert (unknown["__typename"], unknown["field"]) == ("ValidationError", "reference")
    stripe = await add_method(gql, "acme", "pm_1", provider="STRIPE")  # Stripe not configured
    assert (stripe["__typename"], stripe["field"]) == ("ValidationError", "provider")
    nobody = await add_method(gql, "nobody", "pm_sandbox_ok")
    assert (nobody["__typename"], nobody["field"]) == ("NotFoundError", "customerExternalId")
    assert await count_rows(runtime.db, "payment_methods") == 0
    await add_method(gql, "acme", "pm_sandbox_ok")
    twice = await add_method(gql, "acme", "pm_sandbox_ok")
    assert (twice["__typename"], twice["code"]) == ("ConflictError", "duplicate")
    missing = await gql(SET_DEFAULT, c="acme", m="424242")
    assert missing["setDefaultPaymentMethod"] == {
        "__typename": "NotFoundError",
        "code": "not_found",
        "field": "paymentMethodId",
    }
    assert await count_rows(runtime.db, "payment_methods") == 1
