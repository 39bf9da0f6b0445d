"""Sent emails (notifications): what Tally wrote to whom, and whether it went out; an email's
page shows it as the customer read it — its HTML (in a sandboxed frame: no scripts, no
requests) and its text — with its status, tries and last error."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import quote

from nicegui import ui
from starlette.responses import Response

from console import format
from console.api import Api, Console, operation
from console.errors import fetch
from console.layout import error_banner, page
from console.tables import columns, paged_table

QUERY = operation("""
query Emails($after: String) {
  emails(first: 50, after: $after) {
    nodes { id to subject status attempts lastError createdAt sentAt }
    pageInfo { hasNextPage endCursor }
  }
}
""")
EMAIL = operation("""
query Email($id: ID!) {
  email(id: $id) {
    id to subject template status attempts lastError nextAttemptAt createdAt sentAt
    textBody htmlBody customer { name externalId }
  }
}
""")
STATUS_WORDS = {
    "QUEUED": "waiting to be sent",
    "SENT": "sent",
    "FAILED": "could not be sent",
    "RECORDED": "kept here only (no mail server set up)",
}
COLUMNS = columns(("created", "When"), ("to", "To"), ("subject", "Subject"), ("status", "Status"))


def state(email: dict[str, Any]) -> str:
    words = str(STATUS_WORDS.get(email["status"], email["status"].lower()))
    if email["lastError"] and email["status"] != "SENT":
        words += f" — {email['lastError']}"
    return words


def email_row(email: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": email["id"],
        "created": format.when(email["createdAt"]),
        "to": email["to"],
        "subject": email["subject"],
        "status": state(email),
    }


async def emails(api: Api) -> None:
    table = await paged_table(api, QUERY, "emails", COLUMNS, email_row, "emails", "No emails yet.")
    table.on("rowClick", lambda e: ui.navigate.to(f"/console/emails/{e.args[1]['id']}"))
    ui.label("Click an email to read it as it was sent.").classes("text-grey-8")


def tries(email: dict[str, Any]) -> str:
    """ "Tried 3 times; next try 7 Dec 2026, 10:05 UTC" """
    count = email["attempts"]
    words = "Not tried yet" if count == 0 else f"Tried {count} time{'s' if count != 1 else ''}"
    if email["sentAt"]:
        words += f"; sent {format.when(email['sentAt'])}"
    elif email["nextAttemptAt"] and email["status"] == "QUEUED":
        words += f"; next try {format.when(email['nextAttemptAt'])}"
    return words


def header(email: dict[str, Any]) -> None:
    with ui.card().classes("w-full gap-1"):
        ui.label(email["subject"]).classes("text-h6").mark("email-subject")
        ui.label(f"To: {email['to'] or '(no one)'}").classes("text-body1")
        customer = email["customer"]
        if customer:
            where = f"/console/customers/{quote(customer['externalId'], safe='')}"
            ui.link(f"About {customer['name']}", where).mark("email-customer")
        ui.label(f"Status: {state(email)}").classes("text-body1").mark("email-status")
        ui.label(tries(email)).classes("text-body2").mark("email-tries")
        written = f"Written {format.when(email['createdAt'])} · template {email['template']}"
        ui.label(written).classes("text-caption text-grey-7")


def bodies(email: dict[str, Any]) -> None:
    with ui.tabs().classes("w-full") as tabs:
        shown = ui.tab("HTML")
        text = ui.tab("Text")
    with ui.tab_panels(tabs, value=shown).classes("w-full"):
        with ui.tab_panel(shown):
            frame = html.escape(email["htmlBody"], quote=True)
            ui.html(
                f'<iframe sandbox srcdoc="{frame}" title="The email as HTML" '
                'style="width:100%;height:420px;border:1px solid #ddd;background:#fff"></iframe>',
                sanitize=False,
            ).classes("w-full").mark("email-html")
        with ui.tab_panel(text):
            ui.label(email["textBody"]).classes("whitespace-pre-wrap font-mono text-body2").mark(
                "email-text"
            )


async def email(api: Api, email_id: str) -> None:
    ui.link("← All emails", "/console/emails")
    data = await fetch(api, EMAIL, {"id": email_id})
    if data is None:
        return
    if data["email"] is None:
        error_banner("There is no such email.")
        return
    header(data["email"])
    bodies(data["email"])


def register(console: Console) -> None:
    @ui.page("/console/emails", title="Emails · Tally")
    async def emails_page() -> Response | None:
        return await page(console, "/console/emails", "Emails", emails)

    @ui.page("/console/emails/{email_id}", title="Email · Tally")
    async def email_page(email_id: str) -> Response | None:
        path = f"/console/emails/{email_id}"
        return await page(console, path, "Email", email, email_id, current="/console/emails")
