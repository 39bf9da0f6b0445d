"""The console's remaining actions: mark an invoice paid or void it (admins, after a
confirmation), replay a webhook delivery, and the events explorer with rejected events."""

from __future__ import annotations

from decimal import Decimal

import httpx
from nicegui import ui
from nicegui.testing import User
from sqlalchemy import text

from app import invoices
from app.invoices.models import InvoiceType
from app.invoices.service import Draft, LineInput, Terms
from app.metering import service as metering
from app.metering.models import Aggregation
from app.metering.service import MetricInput
from app.runtime import Runtime
from tests.conftest import mint_key
from tests.console.conftest import log_in
from tests.console.support import eventually, make_customer, rows, table_rows, the

TERMS = Terms(prefix="TLY", net_days=7)


async def invoice(runtime: Runtime, customer: str = "acme", total: str = "58.00") -> int:
    found = await rows(runtime, "SELECT id FROM customers WHERE external_id = :e", e=customer)
    line = LineInput("usage", Decimal(1), Decimal(total))
    draft = Draft(found[0].id, "USD", InvoiceType.PERIOD_END, [line])
    async with runtime.db.transaction() as session:
        issued = await invoices.issue(session, draft, TERMS, runtime.clock.now())
    assert issued.id is not None
    return issued.id


async def status_of(runtime: Runtime, invoice_id: int) -> str:
    found = await rows(runtime, "SELECT status FROM invoices WHERE id = :id", id=invoice_id)
    return str(found[0].status)


def text_of(user: User, marker: str) -> str:
    return str(the(user, marker, ui.label).text)


async def test_mark_paid_after_a_confirmation(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    await make_customer(runtime, "acme", "Acme Corp")
    invoice_id = await invoice(runtime)
    await user.open(f"/console/invoices/{invoice_id}")
    await user.should_see("TLY-000001 ·", retries=30)
    user.find(marker="mark-paid").click()
    await user.should_see(
        "Mark TLY-000001 (58.00 USD) as paid? Use this when the customer paid outside Tally.",
        retries=20,
    )
    assert await status_of(runtime, invoice_id) == "finalized"  # nothing before the yes
    user.find(marker="confirm-mark-paid").click()
    assert await eventually(lambda: "paid" in text_of(user, "invoice-status"))
    assert await status_of(runtime, invoice_id) == "paid"
    await user.should_not_see(marker="mark-paid")
    await user.should_not_see(marker="void-invoice")


async def test_void_asks_a_reason_and_a_void_invoice_cannot_be_paid(
    logged_in: User, runtime: Runtime
) -> None:
    user = logged_in
    await make_customer(runtime, "acme", "Acme Corp")
    first, second = await invoice(runtime), await invoice(runtime, total="12.50")
    await user.open(f"/console/invoices/{first}")
    user.find(marker="void-invoice").click()
    await user.should_see("Void TLY-000001 (58.00 USD)?", retries=20)
    user.find(marker="confirm-void-invoice").click()  # no reason yet: nothing happens
    await user.should_see("Say why, in a few words (for example: ordered by mistake).")
    assert await status_of(runtime, first) == "finalized"
    user.find(marker="void-invoice-reason").type("ordered by mistake")
    user.find(marker="confirm-void-invoice").click()
    assert await eventually(lambda: text_of(user, "invoice-status") == "Status: void")
    await user.should_see("Void because: ordered by mistake")
    assert await status_of(runtime, first) == "void"

    await user.open(f"/console/invoices/{second}")
    await user.should_see("TLY-000002 ·", retries=30)
    async with runtime.db.transaction() as session:  # someone else voids it meanwhile
        await invoices.void(session, second, "duplicate", runtime.clock.now())
    user.find(marker="mark-paid").click()
    await user.should_see("Mark TLY-000002 (12.50 USD) as paid?", retries=20)
    user.find(marker="confirm-mark-paid").click()
    assert await eventually(
        lambda: text_of(user, "invoice-error") == "Invoice TLY-000002 is void and cannot be paid."
    )
    assert await status_of(runtime, second) == "void"


async def test_a_viewer_sees_no_invoice_or_replay_buttons(
    user: User, viewer: tuple[str, str], runtime: Runtime
) -> None:
    await make_customer(runtime, "acme", "Acme Corp")
    invoice_id = await invoice(runtime)
    await failed_delivery(runtime)
    await log_in(user, viewer, f"/console/invoices/{invoice_id}")
    await user.should_see("TLY-000001 ·", retries=50)
    await user.should_not_see(marker="mark-paid")
    await user.should_not_see(marker="void-invoice")
    await user.open("/console/webhooks")
    await user.should_see("Deliveries (newest first)", retries=30)
    await user.should_not_see(marker="replay")


async def failed_delivery(runtime: Runtime) -> int:
    now = runtime.clock.now()
    async with runtime.db.engine.begin() as connection:
        endpoint = await connection.execute(
            text(
                "INSERT INTO webhook_endpoints (url, secret, event_types, description, active, "
                "created_at, updated_at) VALUES ('https://hooks.example.com/tally', 'whsec_x', "
                "ARRAY['invoice.created'], '', true, :now, :now) RETURNING id"
            ),
            {"now": now},
        )
        event = await connection.execute(
            text(
                "INSERT INTO webhook_events (public_id, type, data, created_at) "
                "VALUES ('evt_1', 'invoice.created', '{}', :now) RETURNING id"
            ),
            {"now": now},
        )
        delivery = await connection.execute(
            text(
                "INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, "
                "response_code, created_at) VALUES (:e, :v, 'failed', 8, 500, :now) RETURNING id"
            ),
            {"e": endpoint.scalar_one(), "v": event.scalar_one(), "now": now},
        )
        return int(delivery.scalar_one())


async def test_replay_a_delivery(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    delivery_id = await failed_delivery(runtime)
    await user.open("/console/webhooks")
    await user.should_see(marker="replay-choice", retries=30)
    choice = next(iter(user.find(marker="replay-choice").elements))
    assert isinstance(choice, ui.select)
    choice.value = str(delivery_id)
    user.find(marker="replay").click()
    await user.should_see(
        f"Replayed: delivery #{delivery_id + 1} sends the invoice.created event again.",
        retries=30,
    )
    found = await rows(runtime, "SELECT replay_of, status FROM webhook_deliveries ORDER BY id")
    assert [(r.replay_of, r.status) for r in found] == [(None, "failed"), (delivery_id, "pending")]
    assert await eventually(lambda: len(table_rows(user, "webhook-deliveries")) == 2)


async def test_events_lists_an_ingested_event_and_a_rejected_one(
    logged_in: User, runtime: Runtime, http: httpx.AsyncClient
) -> None:
    user = logged_in
    await make_customer(runtime, "acme", "Acme Corp")
    await make_customer(runtime, "globex", "Globex")
    async with runtime.db.transaction() as session:
        data = MetricInput("api_call", "API calls", "API call", "API calls", Aggregation.COUNT)
        await metering.create_metric(session, data, runtime.clock.now())
    key = await mint_key(runtime, ["ingest"])
    body = {
        "events": [
            {"transaction_id": "ok-1", "customer_external_id": "acme", "metric_code": "api_call"},
            {"transaction_id": "ok-2", "customer_external_id": "globex", "metric_code": "api_call"},
            {"transaction_id": "bad-1", "customer_external_id": "acme", "metric_code": "nope"},
        ]
    }
    response = await http.post("/v1/events", json=body, headers={"authorization": f"Bearer {key}"})
    assert response.json()["rejected"] == 1

    await user.open("/console/events")
    assert await eventually(lambda: len(table_rows(user, "events")) == 2)
    [rejected] = table_rows(user, "rejected-events")
    assert rejected["transaction"] == "bad-1"
    assert rejected["why"] == "metric_code: No metric with code 'nope'."
    assert rejected["source"] == "REST API"
    assert '"metric_code":"nope"' in rejected["sent"]

    user.find(marker="events-customer").type("acme")
    user.find(marker="events-filter").click()
    assert await eventually(lambda: len(table_rows(user, "events")) == 1)
    [event] = table_rows(user, "events")
    assert (event["transaction"], event["customer"], event["metric"]) == (
        "ok-1",
        "acme",
        "api_call",
    )
