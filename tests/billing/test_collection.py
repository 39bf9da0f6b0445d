"""Collecting usage invoices: from the wallet when the subscription pays with credits and the
wallet covers it (converted at the wallet's rate), else the payment method on file; an
operator can pay an open one with credits, which also resumes a suspended subscription."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import httpx

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    SET_PAYMENT,
    invoices,
    scale_customer,
    scale_plan,
    send,
    subscription,
    tick,
)
from tests.billing.support import gb_events as gb
from tests.billing.test_bad_input import PAY
from tests.conftest import GraphQLClient
from tests.core.support import check_wallet, grant
from tests.payments.support import balance, rows, settle_all
from workers.system import JobSystem


async def test_credits_pay_while_they_cover_the_invoice_then_the_card_does(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    wallet_id, subscription_id = await scale_customer(gql)
    await grant(gql, wallet_id, "10000", "g")  # 100.00 USD at 0.01
    chosen = await gql(
        SET_PAYMENT, input={"subscriptionId": subscription_id, "payWithCredits": True}
    )
    assert chosen["setSubscriptionPayment"]["subscription"]["payWithCredits"] is True

    await send("http", gql, http, gb("a", 120))  # 58.00
    await settle_all(database_url, jobs, clock)
    [first] = await invoices(gql, "THRESHOLD")
    assert (first["status"], first["paymentStatus"], first["creditsPaid"]) == (
        "PAID",
        "SUCCEEDED",
        "5800",
    )
    assert await balance(gql, wallet_id) == Decimal(4200)
    [entry] = await rows(
        runtime.db,
        "SELECT credits, description, cause_type FROM ledger_entries WHERE kind = 'consumption'",
    )
    assert tuple(entry) == (
        Decimal(-5800),
        "−5,800 credits · invoice TLY-000001 (58.00 USD)",
        "invoice",
    )

    await send("graphql", gql, http, gb("b", 130))  # 52.00: more than the 42.00 left
    await settle_all(database_url, jobs, clock)
    second = (await invoices(gql, "THRESHOLD"))[1]
    assert (second["status"], second["creditsPaid"]) == ("PAID", None)
    assert [p for p in await rows(runtime.db, "SELECT invoice_id FROM payments")] == [(2,)]
    assert await balance(gql, wallet_id) == Decimal(4200)
    await check_wallet(runtime.db, wallet_id)


async def test_an_operator_pays_an_overdue_invoice_with_credits_and_service_resumes(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    wallet_id, subscription_id = await scale_customer(gql, method=None)
    await send("http", gql, http, gb("a", 120))
    await settle_all(database_url, jobs, clock)
    clock.advance(timedelta(days=8))
    await tick(runtime, database_url, jobs, clock)
    assert (await subscription(gql, subscription_id))["status"] == "SUSPENDED"

    await grant(gql, wallet_id, "6000", "g")
    [invoice] = await invoices(gql, "THRESHOLD")
    paid = (await gql(PAY, id=invoice["id"]))["payInvoiceWithCredits"]
    assert paid == {"__typename": "InvoicePayload", "invoice": {"status": "PAID"}}
    assert await balance(gql, wallet_id) == Decimal(200)
    assert (await subscription(gql, subscription_id))["status"] == "ACTIVE"
    again = (await gql(PAY, id=invoice["id"]))["payInvoiceWithCredits"]
    assert (again["__typename"], again["code"]) == ("ConflictError", "invoice_paid")
    await check_wallet(runtime.db, wallet_id)
