"""S11: a threshold invoice left unpaid past its net 7 days suspends the subscription (the
entitlement says "overdue invoice", a subscription.suspended webhook goes out); paying it
resumes the subscription."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    entitlement,
    invoices,
    scale_customer,
    scale_plan,
    send,
    subscription,
    tick,
)
from tests.billing.support import gb_events as gb
from tests.conftest import GraphQLClient
from tests.invoices.test_invoices import MARK_PAID, VOID
from tests.payments.support import jobs_for, settle_all
from workers.system import JobSystem


async def _unpaid_threshold_invoice(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> tuple[str, dict[str, str]]:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql, method=None)  # nothing to charge
    await send("http", gql, http, gb("a", 120))
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    assert (invoice["status"], invoice["paymentStatus"]) == ("FINALIZED", "PENDING")
    assert datetime.fromisoformat(invoice["dueAt"]) == clock.now() + timedelta(days=7)
    return subscription_id, invoice


async def test_s11_overdue_suspends_and_paying_resumes(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    subscription_id, invoice = await _unpaid_threshold_invoice(gql, http, database_url, jobs, clock)

    clock.advance(timedelta(days=7) - timedelta(minutes=1))  # not due yet
    await tick(runtime, database_url, jobs, clock)
    assert (await subscription(gql, subscription_id))["status"] == "ACTIVE"
    assert await entitlement(gql, "acme", "gb_processed") == {
        "__typename": "Entitlement",
        "allowed": True,
        "reason": "ok",
    }

    clock.advance(timedelta(minutes=2))  # past the net 7 days
    await tick(runtime, database_url, jobs, clock)
    suspended = await subscription(gql, subscription_id)
    assert (suspended["status"], suspended["suspensionReason"]) == ("SUSPENDED", "OVERDUE_INVOICE")
    assert await entitlement(gql, "acme", "gb_processed") == {
        "__typename": "Entitlement",
        "allowed": False,
        "reason": "overdue invoice",
    }
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    [webhook] = [e["data"] for e in emitted if e["type"] == "subscription.suspended"]
    assert (str(webhook["subscription_id"]), webhook["reason"]) == (
        subscription_id,
        "overdue invoice",
    )
    assert [i["number"] for i in webhook["invoices"]] == [invoice["number"]]
    emails = await jobs_for(runtime.db, "notifications.send")
    assert [e["customer_id"] for e in emails if e["template"] == "subscription_suspended"] == [1]
    [overdue] = await invoices(gql, "THRESHOLD")
    assert overdue["overdueAt"] is not None

    await send("http", gql, http, gb("b", 10))  # usage still counts while suspended
    clock.advance(timedelta(minutes=1))
    await tick(runtime, database_url, jobs, clock)  # found overdue once: one webhook
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    assert len([e for e in emitted if e["type"] == "subscription.suspended"]) == 1

    paid = (await gql(MARK_PAID, id=invoice["id"]))["markInvoicePaid"]
    assert paid["invoice"]["status"] == "PAID"
    resumed = await subscription(gql, subscription_id)
    assert (resumed["status"], resumed["suspensionReason"]) == ("ACTIVE", None)
    assert (await entitlement(gql, "acme", "gb_processed"))["allowed"] is True


async def test_voiding_the_overdue_invoice_resumes_too_but_an_operator_suspension_stays(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    subscription_id, invoice = await _unpaid_threshold_invoice(gql, http, database_url, jobs, clock)
    clock.advance(timedelta(days=8))
    await tick(runtime, database_url, jobs, clock)
    assert (await subscription(gql, subscription_id))["status"] == "SUSPENDED"
    voided = (await gql(VOID, id=invoice["id"], reason="goodwill"))["voidInvoice"]
    assert voided["invoice"]["status"] == "VOID"
    assert (await subscription(gql, subscription_id))["status"] == "ACTIVE"

    await gql(
        "mutation($id: ID!) { suspendSubscription(id: $id) { __typename } }", id=subscription_id
    )
    assert await entitlement(gql, "acme", "gb_processed") == {
        "__typename": "Entitlement",
        "allowed": False,
        "reason": "subscription suspended",
    }
    found = await subscription(gql, subscription_id)
    assert (found["status"], found["suspensionReason"]) == ("SUSPENDED", "OPERATOR")


async def test_a_declined_card_leaves_the_invoice_owed_until_it_falls_overdue(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql, method="pm_sandbox_decline")
    await send("graphql", gql, http, gb("a", 120))
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    assert (invoice["status"], invoice["paymentStatus"]) == ("FINALIZED", "FAILED")
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    assert [e["type"] for e in emitted if e["type"].startswith("invoice.")] == [
        "invoice.created",
        "invoice.payment_failed",
    ]
    clock.advance(timedelta(days=7, seconds=1))
    await tick(runtime, database_url, jobs, clock)
    assert (await subscription(gql, subscription_id))["suspensionReason"] == "OVERDUE_INVOICE"
