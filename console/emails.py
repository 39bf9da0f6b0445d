"""Sent emails (notifications): what Tally wrote to whom, and whether it went out."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format
from console.api import Api, Console, operation
from console.layout import page
from console.tables import columns, paged_table

QUERY = operation("""
query Emails($after: String) {
  emails(first: 50, after: $after) {
    nodes { id to subject status attempts lastError createdAt sentAt }
    pageInfo { hasNextPage endCursor }
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


def email_row(email: dict[str, Any]) -> dict[str, Any]:
    state = STATUS_WORDS.get(email["status"], email["status"].lower())
    if email["lastError"] and email["status"] != "SENT":
        state += f" — {email['lastError']}"
    return {
        "id": email["id"],
        "created": format.when(email["createdAt"]),
        "to": email["to"],
        "subject": email["subject"],
        "status": state,
    }


async def emails(api: Api) -> None:
    await paged_table(api, QUERY, "emails", COLUMNS, email_row, "emails", "No emails yet.")


def register(console: Console) -> None:
    @ui.page("/console/emails", title="Emails · Tally")
    async def emails_page() -> Response | None:
        return await page(console, "/console/emails", "Emails", emails)
