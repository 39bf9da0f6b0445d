"""The invoice page (its customer, its PDF, its payment attempts, moving live), an email as it
was sent, and the audit log for people (sentences with old → new, logins hidden, filters, CSV),
in the simulated browser."""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from nicegui import ui
from nicegui.testing import User

from app.notifications.models import Email, EmailStatus
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.console.conftest import ADMIN
from tests.console.support import eventually, table_rows
from tests.payments.support import customer_with_method, top_up

ADD_ALERT = """mutation($w: ID!) {
  addAlertThreshold(input: {walletId: $w, kind: PERCENT, value: "30"}) { __typename }
}"""


def link_to(user: User, marker: str) -> str:
    [element] = [e for e in user.find(marker=marker).elements if isinstance(e, ui.link)]
    return str(element.props["href"])


async def test_an_invoice_page_shows_its_customer_pdf_and_failed_attempt_and_moves_live(
    logged_in: User,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    publish: Callable[[], Awaitable[int]],
) -> None:
    user = logged_in
    wallet_id = await customer_with_method(gql, "acme", "pm_sandbox_decline")
    started = await top_up(gql, wallet_id, "buy-1", credits="500")
    invoice_id = started["recharge"]["invoice"]["id"]
    await user.open(f"/console/invoices/{invoice_id}")
    await user.should_see("Status: awaiting payment", retries=50)
    assert link_to(user, "invoice-customer") == "/console/customers/acme"
    pdf = await http.get(link_to(user, "invoice-pdf"))  # the signed link, no credentials
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"

    await publish()  # the charge job: declined; the live message reaches the open page
    await user.should_see("Status: void", retries=50)
    [attempt] = table_rows(user, "invoice-payments")
    assert attempt["status"] == "failed — card_declined: the sandbox declines this payment method"
    assert attempt["amount"] == "5.00 USD" and attempt["tries"] == "1 time"


async def test_an_email_reads_as_it_was_sent(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    async with runtime.db.transaction() as session:
        email = Email(
            to_address="billing@acme.test",
            subject="Acme: 2,900 credits left (50 % alert)",
            template="alert_triggered",
            text_body="Acme has 2,900 credits left.\n\nAdd credits before they run out.",
            html_body="<p>Acme has <b>2,900</b> credits left.</p><script>alert(1)</script>",
            status=EmailStatus.QUEUED,
            attempts=2,
            last_error="SMTP 451: try again later",
            created_at=runtime.clock.now(),
            next_attempt_at=runtime.clock.now(),
        )
        session.add(email)
        await session.flush()
        email_id = email.id
    await user.open("/console/emails")
    await user.should_see("Click an email to read it", retries=50)
    await user.open(f"/console/emails/{email_id}")
    await user.should_see("Acme: 2,900 credits left (50 % alert)", retries=50)
    await user.should_see("Status: waiting to be sent — SMTP 451: try again later")
    await user.should_see("Tried 2 times; next try")
    await user.should_see("Add credits before they run out.")
    [frame] = [e for e in user.find(marker="email-html").elements if isinstance(e, ui.html)]
    assert '<iframe sandbox srcdoc="&lt;p&gt;Acme has &lt;b&gt;2,900' in frame.content
    await user.open("/console/emails/999999")
    await user.should_see("There is no such email.", retries=50)


async def test_the_audit_log_reads_as_sentences_with_filters_and_csv(
    logged_in: User, gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = logged_in
    wallet_id = await customer_with_method(gql, "acme")
    await gql(ADD_ALERT, w=str(wallet_id))
    await user.open("/console/audit")
    changed = (
        "API key “test” changed the spend alerts of Acme — spend alerts: 50 %, 25 %, 10 % "
        "→ 50 %, 30 %, 25 %, 10 %"
    )
    assert await eventually(lambda: table_rows(user, "audit")[0]["summary"] == changed, 20)
    summaries = [row["summary"] for row in table_rows(user, "audit")]
    assert not any("logged in" in s for s in summaries)  # hidden by default

    user.find(marker="audit-filter").click()
    user.find("Everything, logins too").click()
    assert await eventually(
        lambda: any(f"{ADMIN[0]} logged in" in r["summary"] for r in table_rows(user, "audit")),
        20,
    )
    user.find(marker="audit-action").click()
    user.find("Spend alerts changed").click()
    assert await eventually(lambda: len(table_rows(user, "audit")) == 1, 20)

    user.find(marker="audit-action").click()
    user.find("Every action").click()
    user.find(marker="audit-actor").type(ADMIN[0]).trigger("keydown.enter")
    assert await eventually(
        lambda: [r["summary"] for r in table_rows(user, "audit")] == [f"{ADMIN[0]} logged in"],
        20,
    )

    saved: list[tuple[bytes, str]] = []
    monkeypatch.setattr(ui.download, "content", lambda data, name, *_: saved.append((data, name)))
    user.find(marker="audit-csv").click()
    assert await eventually(lambda: len(saved) == 1, 20)
    data, name = saved[0]
    rows: list[Any] = list(csv.reader(io.StringIO(data.decode())))
    assert name == "tally-audit-log.csv"
    assert rows[0] == ["when", "actor", "actor_kind", "action", "customer", "summary", "reason"]
    assert [row[1:4] for row in rows[1:]] == [[ADMIN[0], "operator", "login"]]


async def test_the_portal_lists_the_customers_own_invoices_with_their_pdfs(
    user: User, runtime: Runtime, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    from app.access import tokens

    mine = await customer_with_method(gql, "acme")
    theirs = await customer_with_method(gql, "globex")
    await top_up(gql, mine, "buy-acme", credits="500")
    await top_up(gql, theirs, "buy-globex", credits="700")
    token, _ = tokens.mint(
        runtime.settings.signing_secret(), 1, "acme", runtime.clock.now(), timedelta(hours=1)
    )
    await user.open(f"/portal/{token}")
    await user.should_see("Invoices", retries=50)
    await user.should_see("TLY-000001", retries=50)
    await user.should_not_see("TLY-000002")  # globex's
    pdf = await http.get(link_to(user, "portal-invoice-pdf"))
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
