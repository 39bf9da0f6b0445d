"""invoiceUpdated over a real websocket: every change of a customer's invoices — finalized,
paid, payment failed, voided, overdue — in order, with the invoice as the API shows it; a
customer token watches only its own customer.

Credit purchases are paid or voided by hand here; threshold invoices, declined charges and
overdue invoices need the jobs, so those tests run a server whose relay feeds a real worker.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
import uvicorn

from app.clock import FrozenClock
from app.db.engine import plain_url
from app.edge.server import create_app
from app.live.invoices import channel
from app.outbox.relay import Relay
from app.runtime import Runtime
from tests.billing.support import gb_events, scale_customer, scale_plan, send
from tests.conftest import GraphQLClient, mint_key
from tests.core.support import ERROR_FIELDS
from tests.live.client import LiveClient
from tests.live.conftest import LiveServer
from tests.payments.support import customer_with_method, top_up
from tests.redis_server import free_port
from workers.scheduler import Periodic, Scheduler
from workers.system import JobSystem

INVOICE_FIELDS = """id number type status paymentStatus currency total { amount currency }
  walletId finalizedAt dueAt paidAt voidedAt voidReason overdueAt periodStart periodEnd
  threshold { amount currency } creditsPaid createdAt"""

INVOICE_UPDATED = f"""subscription($customerId: ID!) {{
  invoiceUpdated(customerId: $customerId) {{
    customerId change failureReason committedAt
    invoice {{ {INVOICE_FIELDS} subscriptionId }}
  }}
}}"""

INVOICE = f"""query($id: ID!) {{ invoice(id: $id) {{ {INVOICE_FIELDS} subscription {{ id }} }} }}"""

MARK_PAID = f"""mutation($id: ID!) {{ markInvoicePaid(input: {{invoiceId: $id}}) {{
  __typename {ERROR_FIELDS} }} }}"""

VOID = f"""mutation($id: ID!, $reason: String!) {{
  voidInvoice(input: {{invoiceId: $id, reason: $reason}}) {{ __typename {ERROR_FIELDS} }} }}"""

CUSTOMER = """query($id: String!) { customer(externalId: $id) { id } }"""

TOKEN = """mutation($id: String!) { createCustomerToken(customerExternalId: $id) {
  ... on CustomerToken { token } } }"""


@pytest.fixture
async def worker_server(
    runtime: Runtime, database_url: str, clock: FrozenClock
) -> AsyncIterator[LiveServer]:
    """Like ``live_server``, and the jobs the relay hands on run on a real worker."""
    jobs = JobSystem(runtime.settings, database_url, clock, redis_url=None, bus=runtime.bus)
    jobs.start_worker(threads=2)
    relay = Relay(plain_url(database_url), jobs.dispatch, clock, poll_seconds=1)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(runtime, background=[relay.run]),
            port=free_port(),
            log_level="warning",
            lifespan="on",
        )
    )
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        await asyncio.sleep(0.02)
    yield LiveServer(server.config.port)
    server.should_exit = True
    with contextlib.suppress(asyncio.CancelledError):
        await task
    jobs.stop()


async def _customer_id(gql: GraphQLClient, external_id: str) -> str:
    found: str = (await gql(CUSTOMER, id=external_id))["customer"]["id"]
    return found


async def _token(gql: GraphQLClient, external_id: str) -> str:
    token: str = (await gql(TOKEN, id=external_id))["createCustomerToken"]["token"]
    return token


async def _watch(
    server: LiveServer, runtime: Runtime, authorization: str, customer_id: str
) -> LiveClient:
    """A client subscribed to the customer's invoices, attached to the live bus."""
    client = await LiveClient.open(server.ws_url, authorization)
    await client.acknowledged()
    await client.subscribe(INVOICE_UPDATED, customerId=customer_id)
    for _ in range(500):  # the protocol has no message for "subscribed"
        if runtime.bus.hub.count(channel(int(customer_id))) >= 1:
            return client
        await asyncio.sleep(0.01)
    raise AssertionError("the subscription never reached the live bus")


async def _update(client: LiveClient) -> dict[str, Any]:
    update: dict[str, Any] = (await client.next_data())["invoiceUpdated"]
    return update


def _seen(update: dict[str, Any]) -> tuple[str, str | None, str, str, str]:
    invoice = update["invoice"]
    return (
        update["change"],
        invoice["number"],
        invoice["type"],
        invoice["status"],
        invoice["paymentStatus"],
    )


async def _as_queried(gql: GraphQLClient, update: dict[str, Any]) -> None:
    """The live invoice has the values ``invoice(id:)`` gives now, under the same names."""
    live = dict(update["invoice"])
    queried = (await gql(INVOICE, id=live["id"]))["invoice"]
    subscription = queried.pop("subscription")
    assert live.pop("subscriptionId") == (subscription["id"] if subscription else None)
    assert live == queried


async def _bought(gql: GraphQLClient, wallet_id: int, key: str) -> dict[str, Any]:
    started = await top_up(gql, wallet_id, key, credits="500")
    assert started["__typename"] == "RechargePayload", started
    invoice: dict[str, Any] = started["recharge"]["invoice"]
    return invoice


async def test_finalized_then_paid_and_a_voided_one_in_order(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    customer_id = await _customer_id(gql, "acme")
    token = await _token(gql, "acme")
    client = await _watch(live_server, runtime, f"Bearer {token}", customer_id)
    try:
        first = await _bought(gql, wallet_id, "first")
        finalized = await _update(client)
        assert _seen(finalized) == (
            "FINALIZED",
            "TLY-000001",
            "CREDIT_PURCHASE",
            "FINALIZED",
            "PENDING",
        )
        assert finalized["customerId"] == customer_id and finalized["failureReason"] is None
        assert finalized["invoice"]["id"] == first["id"]
        assert finalized["invoice"]["total"] == {"amount": "5.00", "currency": "USD"}
        assert finalized["invoice"]["walletId"] == str(wallet_id)
        now, due = runtime.clock.now(), runtime.clock.now() + timedelta(days=7)
        assert finalized["invoice"]["finalizedAt"] == now.isoformat() == finalized["committedAt"]
        assert finalized["invoice"]["dueAt"] == due.isoformat()

        assert (await gql(MARK_PAID, id=first["id"]))["markInvoicePaid"]["__typename"] == (
            "InvoicePayload"
        )
        paid = await _update(client)
        assert _seen(paid) == ("PAID", "TLY-000001", "CREDIT_PURCHASE", "PAID", "SUCCEEDED")
        assert paid["invoice"]["paidAt"] == now.isoformat()
        await _as_queried(gql, paid)

        second = await _bought(gql, wallet_id, "second")
        assert _seen(await _update(client))[:2] == ("FINALIZED", "TLY-000002")
        voided = (await gql(VOID, id=second["id"], reason="ordered by mistake"))["voidInvoice"]
        assert voided["__typename"] == "InvoicePayload", voided
        void = await _update(client)
        assert _seen(void) == ("VOIDED", "TLY-000002", "CREDIT_PURCHASE", "VOID", "PENDING")
        assert (void["invoice"]["voidReason"], void["invoice"]["voidedAt"]) == (
            "ordered by mistake",
            now.isoformat(),
        )
        await _as_queried(gql, void)
    finally:
        await client.close()


async def test_a_threshold_invoice_is_finalized_then_paid_by_its_charge(
    worker_server: LiveServer,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    clock.advance(timedelta(hours=1))
    client = await _watch(
        worker_server, runtime, f"Bearer {gql.key}", await _customer_id(gql, "acme")
    )
    try:
        await send("http", gql, http, gb_events("a", 120))  # usage 58.00: crosses 50.00
        finalized = await _update(client)
        assert _seen(finalized) == ("FINALIZED", "TLY-000001", "THRESHOLD", "FINALIZED", "PENDING")
        invoice = finalized["invoice"]
        assert (invoice["total"]["amount"], invoice["threshold"]["amount"]) == ("58.00", "50.00")
        assert invoice["subscriptionId"] == subscription_id
        assert invoice["periodStart"] is not None and invoice["walletId"] is None

        paid = await _update(client)  # the charge job, through the sandbox provider
        assert _seen(paid) == ("PAID", "TLY-000001", "THRESHOLD", "PAID", "SUCCEEDED")
        await _as_queried(gql, paid)
    finally:
        await client.close()


async def test_a_declined_purchase_fails_then_is_voided(
    worker_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await customer_with_method(gql, "acme", "pm_sandbox_decline")
    client = await _watch(
        worker_server, runtime, f"Bearer {gql.key}", await _customer_id(gql, "acme")
    )
    try:
        await _bought(gql, wallet_id, "declined")
        assert _seen(await _update(client))[0] == "FINALIZED"
        failed = await _update(client)
        assert _seen(failed) == (
            "PAYMENT_FAILED",
            "TLY-000001",
            "CREDIT_PURCHASE",
            "FINALIZED",
            "FAILED",
        )
        reason = failed["failureReason"]
        assert reason
        voided = await _update(client)  # the purchase is abandoned in the same transaction
        assert _seen(voided) == ("VOIDED", "TLY-000001", "CREDIT_PURCHASE", "VOID", "FAILED")
        assert voided["invoice"]["voidReason"] == f"payment failed: {reason}"
        await _as_queried(gql, voided)
    finally:
        await client.close()


async def test_an_unpaid_threshold_invoice_falls_overdue_then_is_paid(
    worker_server: LiveServer,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    await scale_customer(gql, method=None)  # nothing to charge: it waits
    clock.advance(timedelta(hours=1))
    client = await _watch(
        worker_server, runtime, f"Bearer {gql.key}", await _customer_id(gql, "acme")
    )
    try:
        await send("http", gql, http, gb_events("a", 120))
        finalized = await _update(client)
        assert _seen(finalized) == ("FINALIZED", "TLY-000001", "THRESHOLD", "FINALIZED", "PENDING")

        clock.advance(timedelta(days=8))  # past the 7 days of net terms
        sweep = Scheduler(runtime, [Periodic("billing.suspend_overdue", timedelta(minutes=1))])
        await sweep.tick(clock.now())
        overdue = await _update(client)
        assert _seen(overdue) == ("OVERDUE", "TLY-000001", "THRESHOLD", "FINALIZED", "PENDING")
        assert overdue["invoice"]["overdueAt"] == clock.now().isoformat()
        await _as_queried(gql, overdue)

        paid = await gql(MARK_PAID, id=finalized["invoice"]["id"])
        assert paid["markInvoicePaid"]["__typename"] == "InvoicePayload", paid
        assert _seen(await _update(client))[:4] == ("PAID", "TLY-000001", "THRESHOLD", "PAID")
    finally:
        await client.close()


async def test_a_customer_token_watches_only_its_own_invoices(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    own_wallet = await customer_with_method(gql, "acme")
    other_wallet = await customer_with_method(gql, "globex")
    own, other = await _customer_id(gql, "acme"), await _customer_id(gql, "globex")
    token = await _token(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {token}")
    try:
        await client.acknowledged()
        denied = await client.subscribe(INVOICE_UPDATED, customerId=other)
        assert await client.refusal(denied) == f"customer {other} is not visible to this caller"
    finally:
        await client.close()

    watching = await _watch(live_server, runtime, f"Bearer {token}", own)
    try:
        await _bought(gql, other_wallet, "globex")  # globex's invoice is not acme's business
        mine = await _bought(gql, own_wallet, "acme")
        update = await _update(watching)
        assert (update["customerId"], update["invoice"]["id"]) == (own, mine["id"])
        assert update["invoice"]["number"] == "TLY-000002"
    finally:
        await watching.close()


async def test_unknown_customers_get_the_same_refusal(
    live_server: LiveServer, admin_key: str
) -> None:
    client = await LiveClient.open(live_server.ws_url, f"Bearer {admin_key}")
    try:
        await client.acknowledged()
        for unknown in ("999999", "acme"):
            op_id = await client.subscribe(INVOICE_UPDATED, customerId=unknown)
            refusal = await client.refusal(op_id)
            assert refusal == f"customer {unknown} is not visible to this caller"
            await client.receive()  # the refused operation's `complete`
    finally:
        await client.close()


async def test_an_ingest_key_cannot_subscribe(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    await customer_with_method(gql, "acme")
    ingest = await mint_key(runtime, ["ingest"])
    client = await LiveClient.open(live_server.ws_url, f"Bearer {ingest}")
    try:
        await client.acknowledged()
        op_id = await client.subscribe(INVOICE_UPDATED, customerId=await _customer_id(gql, "acme"))
        refusal = await client.refusal(op_id)
        assert "an API key with the 'read' scope or a customer token" in refusal
    finally:
        await client.close()
