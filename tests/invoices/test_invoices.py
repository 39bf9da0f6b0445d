"""Invoices through GraphQL: paid by hand or voided (with what that means for a credit
purchase), typed errors for what cannot be done, listing and who may see what."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import ERROR_FIELDS, burn, check_wallet, count_rows
from tests.payments.support import (
    INVOICE_FIELDS,
    balance,
    customer_with_method,
    recharge,
    rows,
    settle_all,
    top_up,
)
from workers.system import JobSystem

MARK_PAID = f"""
mutation($id: ID!) {{ markInvoicePaid(input: {{invoiceId: $id}}) {{
  __typename ... on InvoicePayload {{ invoice {{ {INVOICE_FIELDS} }} }} {ERROR_FIELDS}
}} }}"""

VOID = f"""
mutation($id: ID!, $reason: String!) {{ voidInvoice(input: {{invoiceId: $id, reason: $reason}}) {{
  __typename ... on InvoicePayload {{ invoice {{ {INVOICE_FIELDS} }} }} {ERROR_FIELDS}
}} }}"""

INVOICES = """
query($customer: String, $status: InvoiceStatus, $first: Int!, $after: String) {
  invoices(customerExternalId: $customer, status: $status, first: $first, after: $after) {
    nodes { number status customer { externalId } }
    pageInfo { hasNextPage endCursor }
  }
}"""


async def _bought(gql: GraphQLClient, wallet_id: int, key: str, credits: str = "500") -> Any:
    started = await top_up(gql, wallet_id, key, credits=credits)
    assert started["__typename"] == "RechargePayload", started
    return started["recharge"]


async def test_paying_by_hand_delivers_once_and_the_charge_job_stands_down(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    bought = await _bought(gql, wallet_id, "k")
    paid = (await gql(MARK_PAID, id=bought["invoice"]["id"]))["markInvoicePaid"]
    assert paid["invoice"]["status"] == "PAID" and paid["invoice"]["paymentStatus"] == "SUCCEEDED"
    assert await balance(gql, wallet_id) == Decimal(500)

    await settle_all(database_url, jobs, clock)  # the charge job finds nothing to charge
    [payment] = (await recharge(gql, bought["id"]))["invoice"]["payments"]
    assert payment["status"] == "FAILED" and payment["attempts"] == 0
    assert payment["failureReason"] == "canceled: the invoice was paid otherwise"
    assert await balance(gql, wallet_id) == Decimal(500)
    assert await count_rows(runtime.db, "grants") == 1

    again = (await gql(MARK_PAID, id=bought["invoice"]["id"]))["markInvoicePaid"]
    assert again["__typename"] == "ConflictError" and again["code"] == "invoice_paid"
    void = (await gql(VOID, id=bought["invoice"]["id"], reason="x"))["voidInvoice"]
    assert void["__typename"] == "ConflictError" and void["field"] == "invoiceId"


async def test_a_void_invoice_cannot_be_paid(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    bought = await _bought(gql, wallet_id, "k")
    voided = (await gql(VOID, id=bought["invoice"]["id"], reason="ordered by mistake"))[
        "voidInvoice"
    ]
    assert voided["invoice"]["status"] == "VOID"
    assert voided["invoice"]["voidReason"] == "ordered by mistake"
    refused = (await gql(MARK_PAID, id=bought["invoice"]["id"]))["markInvoicePaid"]
    assert refused["__typename"] == "ConflictError"
    assert (refused["code"], refused["field"]) == ("invoice_void", "invoiceId")
    await settle_all(database_url, jobs, clock)
    assert (await recharge(gql, bought["id"]))["status"] == "FAILED"
    assert await balance(gql, wallet_id) == 0
    unknown = (await gql(MARK_PAID, id="999999"))["markInvoicePaid"]
    assert unknown["__typename"] == "NotFoundError" and unknown["field"] == "invoiceId"


async def test_an_invoice_being_charged_cannot_be_paid_or_voided_by_hand(
    gql: GraphQLClient, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", "pm_sandbox_late_fail")
    bought = await _bought(gql, wallet_id, "k")
    await settle_all(database_url, jobs, clock)  # accepted: processing
    for mutation, name in ((MARK_PAID, "markInvoicePaid"), (VOID, "voidInvoice")):
        refused = (await gql(mutation, id=bought["invoice"]["id"], reason="r"))[name]
        assert refused["__typename"] == "ConflictError"
        assert refused["code"] == "payment_in_progress"


async def test_grant_before_payment_lands_at_once_and_a_failure_takes_it_back(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", "pm_sandbox_late_fail")
    options = await gql(
        """mutation($w: ID!) { setTopUpOptions(input: {walletId: $w, grantBeforePayment: true}) {
          __typename ... on TopUpOptionsPayload { options { grantBeforePayment } } } }""",
        w=str(wallet_id),
    )
    assert options["setTopUpOptions"]["options"]["grantBeforePayment"] is True
    bought = await _bought(gql, wallet_id, "k")
    assert bought["grantedAt"] is not None
    assert await balance(gql, wallet_id) == Decimal(500)
    await burn(runtime, wallet_id, "300")

    await settle_all(database_url, jobs, clock)
    clock.advance(timedelta(seconds=runtime.settings.sandbox_late_fail_seconds))
    await settle_all(database_url, jobs, clock)
    failed = await recharge(gql, bought["id"])
    assert failed["status"] == "FAILED" and failed["invoice"]["status"] == "VOID"
    figures = await check_wallet(runtime.db, wallet_id)
    assert (figures.balance, figures.debt) == (Decimal(-300), Decimal(300))  # used: now debt
    [void] = await rows(
        runtime.db,
        "SELECT credits, description FROM ledger_entries WHERE kind = 'void' AND wallet_id = :w",
        w=wallet_id,
    )
    assert void[0] == Decimal(-500)
    assert void[1].startswith("−500 credits taken back · payment failed: card_declined")


async def test_invoices_are_listed_newest_first_with_filters_and_pages(
    gql: GraphQLClient, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    acme = await customer_with_method(gql, "acme")
    beta = await customer_with_method(gql, "beta")
    first = await _bought(gql, acme, "a1")
    await _bought(gql, beta, "b1")
    await _bought(gql, acme, "a2")
    await gql(VOID, id=first["invoice"]["id"], reason="duplicate")

    listed = (await gql(INVOICES, customer="acme", first=1))["invoices"]
    assert [n["number"] for n in listed["nodes"]] == ["TLY-000003"]
    assert listed["pageInfo"]["hasNextPage"] is True
    rest = await gql(INVOICES, customer="acme", first=5, after=listed["pageInfo"]["endCursor"])
    assert [n["number"] for n in rest["invoices"]["nodes"]] == ["TLY-000001"]
    voids = (await gql(INVOICES, status="VOID", first=10))["invoices"]["nodes"]
    assert [(n["number"], n["status"]) for n in voids] == [("TLY-000001", "VOID")]
    everyone = (await gql(INVOICES, first=10))["invoices"]["nodes"]
    assert [n["customer"]["externalId"] for n in everyone] == ["acme", "beta", "acme"]


async def test_a_customer_token_buys_and_sees_only_its_own(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    acme = await customer_with_method(gql, "acme")
    beta = await customer_with_method(gql, "beta")
    await _bought(gql, beta, "b1")
    minted = await gql(
        """mutation { createCustomerToken(customerExternalId: "acme") {
          ... on CustomerToken { token } } }"""
    )
    token = minted["createCustomerToken"]["token"]
    as_acme = GraphQLClient(gql.http, token)

    own = await top_up(as_acme, acme, "mine", credits="100")
    assert own["__typename"] == "RechargePayload"
    listed = (await as_acme(INVOICES, first=10))["invoices"]["nodes"]
    assert [n["customer"]["externalId"] for n in listed] == ["acme"]

    theirs = await as_acme.raw(
        """mutation($w: ID!) { topUp(input: {walletId: $w, credits: "1", idempotencyKey: "x"}) {
          __typename } }""",
        w=str(beta),
    )
    assert "not visible" in theirs["errors"][0]["message"]
    peek = await as_acme.raw(INVOICES, customer="beta", first=10)
    assert "not visible" in peek["errors"][0]["message"]
    assert await count_rows(runtime.db, "invoices") == 2
