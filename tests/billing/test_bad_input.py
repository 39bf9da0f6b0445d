"""Bad input gets a typed error naming the field, and nothing is written: tiers out of order or
overlapping, negative prices, two recurring thresholds, a threshold not above zero, a
percentage outside 0-100, a wallet in another currency than the plan's, paying a void
invoice."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    CREATE_PLAN,
    S9_TIERS,
    SET_PAYMENT,
    SET_THRESHOLDS,
    invoices,
    scale_customer,
    scale_plan,
    send,
    subscription,
)
from tests.billing.support import gb_events as gb
from tests.conftest import GraphQLClient
from tests.core.support import count_rows
from tests.invoices.test_invoices import VOID
from tests.metering.support import create_metric, subscribe
from tests.payments.support import settle_all
from workers.system import JobSystem

PAY = """mutation($id: ID!) { payInvoiceWithCredits(input: {invoiceId: $id}) {
  __typename ... on InvoicePayload { invoice { status } }
  ... on Error { code field message } } }"""


def _graduated(tiers: list[dict[str, Any]]) -> dict[str, Any]:
    return {"moneyCharges": [{"metricCode": "gb", "model": "GRADUATED", "tiers": tiers}]}


def _charge(**charge: Any) -> dict[str, Any]:
    return {"moneyCharges": [{"metricCode": "gb", **charge}]}


def _tier(up_to: str | None = None, price: str = "1", fee: str = "0") -> dict[str, Any]:
    return {"upTo": up_to, "unitPrice": price, "flatFee": fee}


TIER = "moneyCharges[0].tiers"
CHARGE = "moneyCharges[0]"
TWO_RECURRING = [{"amount": "10", "recurring": True}, {"amount": "20", "recurring": True}]
PLANS = [
    (_graduated([_tier("100"), _tier("50"), _tier()]), f"{TIER}[1].upTo", "unordered_tiers"),
    (_graduated([_tier("100"), _tier("100"), _tier()]), f"{TIER}[1].upTo", "unordered_tiers"),
    (_graduated([_tier(), _tier("100")]), f"{TIER}[0].upTo", "required"),
    (_graduated([_tier("100")]), f"{TIER}[0].upTo", "invalid"),
    (_graduated([_tier("0"), _tier()]), f"{TIER}[0].upTo", "unordered_tiers"),
    (_graduated([]), TIER, "required"),
    (_graduated([_tier("10", "-0.5"), _tier()]), f"{TIER}[0].unitPrice", "invalid_amount"),
    (_graduated([_tier("10", fee="-1"), _tier()]), f"{TIER}[0].flatFee", "invalid_amount"),
    (_charge(unitPrice="-1"), f"{CHARGE}.unitPrice", "invalid_amount"),
    (_charge(), f"{CHARGE}.unitPrice", "required"),
    (_charge(unitPrice="1", tiers=S9_TIERS), f"{CHARGE}.tiers", "invalid"),
    (_charge(model="PACKAGE", unitPrice="1", packageSize=0), f"{CHARGE}.packageSize", "invalid"),
    (_charge(model="PERCENTAGE", percentage="150"), f"{CHARGE}.percentage", "invalid_percentage"),
    (_charge(model="PERCENTAGE", percentage="-1"), f"{CHARGE}.percentage", "invalid_percentage"),
    (
        _charge(model="PERCENTAGE", percentage="2", fixedFee="-0.3"),
        f"{CHARGE}.fixedFee",
        "invalid_amount",
    ),
    (_charge(model="PERCENTAGE"), f"{CHARGE}.percentage", "required"),
    (
        {"moneyCharges": [{"metricCode": "calls", "model": "PERCENTAGE", "percentage": "2"}]},
        f"{CHARGE}.model",
        "invalid",
    ),
    (
        {"charges": [{"metricCode": "gb", "creditPrice": "1"}], **_charge(unitPrice="1")},
        f"{CHARGE}.metricCode",
        "invalid",
    ),
    (
        {"charges": [{"metricCode": "gb", "creditPrice": "1", "model": "VOLUME"}]},
        "charges[0].model",
        "invalid",
    ),
    ({"baseFee": "-10"}, "baseFee", "invalid_amount"),
    ({"baseFee": "10.001"}, "baseFee", "invalid_amount"),
    ({"thresholds": TWO_RECURRING}, "thresholds[1].recurring", "invalid"),
    ({"thresholds": [{"amount": "0"}]}, "thresholds[0].amount", "invalid_amount"),
    ({"thresholds": [{"amount": "-50"}]}, "thresholds[0].amount", "invalid_amount"),
]


@pytest.mark.parametrize(("plan", "field", "code"), PLANS)
async def test_a_bad_plan_is_refused_naming_the_field(
    gql: GraphQLClient, runtime: Runtime, plan: dict[str, Any], field: str, code: str
) -> None:
    await create_metric(gql, "gb", "SUM", prop="gb")
    await create_metric(gql, "calls")
    answer = await gql(
        CREATE_PLAN,
        input={"code": "bad", "name": "Bad", "currency": "USD", "interval": "MONTHLY", **plan},
    )
    error = answer["createPlan"]
    assert error["__typename"] == "ValidationError", error
    assert (error["field"], error["code"]) == (field, code), error
    for table in ("plans", "charges", "charge_tiers"):
        assert await count_rows(runtime.db, table) == 0


async def test_updating_a_plan_with_bad_tiers_changes_nothing(gql: GraphQLClient) -> None:
    await scale_plan(gql)
    answer = await gql(
        """mutation($input: UpdatePlanInput!) { updatePlan(input: $input) {
          __typename ... on Error { field code } } }""",
        input={
            "code": "scale",
            "baseFee": "20",
            "moneyCharges": [
                {
                    "metricCode": "gb_processed",
                    "model": "GRADUATED",
                    "tiers": [{"upTo": "5", "unitPrice": "1"}, {"upTo": "4", "unitPrice": "1"}],
                }
            ],
        },
    )
    assert answer["updatePlan"] == {
        "__typename": "ValidationError",
        "field": "moneyCharges[0].tiers[1].upTo",
        "code": "unordered_tiers",
    }
    plan = await gql('{ plan(code: "scale") { baseFee { amount } charges { metric { code } } } }')
    assert plan["plan"] == {
        "baseFee": {"amount": "0.00"},
        "charges": [{"metric": {"code": "gb_processed"}}],
    }


async def test_bad_subscription_thresholds_and_a_wallet_in_another_currency(
    gql: GraphQLClient,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    twice = await gql(
        SET_THRESHOLDS, input={"subscriptionId": subscription_id, "thresholds": TWO_RECURRING}
    )
    error = twice["setSubscriptionThresholds"]
    assert (error["__typename"], error["field"]) == ("ValidationError", "thresholds[1].recurring")
    unknown = await gql(SET_THRESHOLDS, input={"subscriptionId": "999", "thresholds": []})
    assert unknown["setSubscriptionThresholds"]["__typename"] == "NotFoundError"
    assert (await subscription(gql, subscription_id))["thresholdsOverridden"] is False

    await gql(
        """mutation { createCustomer(input: {externalId: "euro", name: "Euro", currency: "EUR",
          wallet: {rate: "0.01", currency: "EUR"}}) { __typename } }"""
    )
    euro = await subscribe(gql, "euro", "scale")  # a money-only plan needs no wallet
    refused = await gql(SET_PAYMENT, input={"subscriptionId": euro, "payWithCredits": True})
    error = refused["setSubscriptionPayment"]
    assert (error["__typename"], error["field"], error["code"]) == (
        "ValidationError",
        "payWithCredits",
        "currency_mismatch",
    )
    assert (await subscription(gql, euro))["payWithCredits"] is False


async def test_paying_a_void_invoice_or_from_another_currency_is_refused(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    await scale_customer(gql, method=None)
    await gql(
        """mutation { createCustomer(input: {externalId: "euro", name: "Euro", currency: "EUR",
          wallet: {rate: "0.01", currency: "EUR"}}) { __typename } }"""
    )
    await subscribe(gql, "euro", "scale")
    await send("http", gql, http, gb("a", 120))
    await send("http", gql, http, gb("e", 120, customer="euro"))
    await settle_all(database_url, jobs, clock)
    by_subscription = {i["subscription"]["id"]: i for i in await invoices(gql, "THRESHOLD")}
    mine, theirs = by_subscription["1"], by_subscription["2"]

    other = (await gql(PAY, id=theirs["id"]))["payInvoiceWithCredits"]
    assert (other["__typename"], other["field"], other["code"]) == (
        "ValidationError",
        "invoiceId",
        "currency_mismatch",
    )
    short = (await gql(PAY, id=mine["id"]))["payInvoiceWithCredits"]  # an empty wallet
    assert (short["__typename"], short["field"]) == ("InsufficientCreditsError", "invoiceId")
    await gql(VOID, id=mine["id"], reason="duplicate")
    void = (await gql(PAY, id=mine["id"]))["payInvoiceWithCredits"]
    assert (void["__typename"], void["field"], void["code"]) == (
        "ConflictError",
        "invoiceId",
        "invoice_void",
    )
    assert await count_rows(runtime.db, "ledger_entries") == 0
