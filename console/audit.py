"""The audit log: every action as a sentence naming who did it and to what — with old → new
values for changes — newest first. Logins are hidden unless asked for; filters by operator (or
API key), customer and action; the lines shown can be downloaded as CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format, forms
from console.api import Api, Console, operation
from console.errors import fetch
from console.layout import page
from console.login.credentials import LOGIN_ACTIONS
from console.tables import columns

PAGE = operation("""
query Audit($after: String, $customer: String, $actions: [String!], $exclude: [String!],
            $actor: String) {
  auditLog(first: 50, after: $after, customerExternalId: $customer, actions: $actions,
           excludeActions: $exclude, actorName: $actor) {
    nodes { id createdAt summary actorKind actorName action customerExternalId reason }
    pageInfo { hasNextPage endCursor }
  }
}
""")
COLUMNS = columns(("when", "When (UTC)"), ("summary", "What happened"))
LOGINS = ("login", *LOGIN_ACTIONS)
# Logins (successful, failed, throttled) can be many: hidden, shown, or alone.
SHOWN = {"without": "Without logins", "all": "Everything, logins too", "only": "Logins only"}
ACTIONS = {
    "": "Every action",
    "grantCredits": "Credits granted",
    "voidCredits": "Credits voided",
    "topUp": "Top-ups",
    "createCustomer": "Customers created",
    "updateCustomer": "Customers changed",
    "updateWalletPolicy": "Wallet policies changed",
    "setAlertThresholds,addAlertThreshold,removeAlertThreshold,resetAlertThresholds": (
        "Spend alerts changed"
    ),
    "setAutoRecharge,disableAutoRecharge": "Auto-recharge changed",
    "markInvoicePaid,voidInvoice,payInvoiceWithCredits": "Invoices paid or voided",
    "createSubscription,terminateSubscription,suspendSubscription,resumeSubscription": (
        "Subscriptions"
    ),
    "createApiKey,revokeApiKey": "API keys",
    "createOperator,disableOperator,enableOperator": "Operators",
}
CSV_COLUMNS = ("when", "actor", "actor_kind", "action", "customer", "summary", "reason")
CSV_LIMIT = 10_000


def variables(shown: str, action: str, customer: str, actor: str) -> dict[str, Any]:
    chosen = [a for a in action.split(",") if a]
    if shown == "only":
        chosen = [a for a in chosen if a in LOGINS] if chosen else list(LOGINS)
    exclude = list(LOGINS) if shown == "without" and not chosen else None
    return {
        "actions": chosen or None,
        "exclude": exclude,
        "customer": customer or None,
        "actor": actor or None,
    }


def entry_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "when": format.when(entry["createdAt"]), "summary": entry["summary"]}


def _iso(moment: Any) -> str:
    return moment if isinstance(moment, str) else str(moment.isoformat())


def csv_of(entries: list[dict[str, Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        writer.writerow(
            [_iso(e["createdAt"]), e["actorName"], e["actorKind"], e["action"],
             e["customerExternalId"] or "", e["summary"], e["reason"] or ""]
        )  # fmt: skip
    return out.getvalue().encode()


class Filters:
    """The filter row: logins, action, customer, operator."""

    def __init__(self, customer: str | None, changed: Any) -> None:
        with ui.row().classes("items-end gap-3 w-full"):
            self.shown = ui.select(SHOWN, value="without", label="Logins").props("outlined dense")
            self.shown.classes("w-56").mark("audit-filter")
            self.action = ui.select(ACTIONS, value="", label="Action").props("outlined dense")
            self.action.classes("w-64").mark("audit-action")
            self.customer = ui.input("Customer id", value=customer or "").props("outlined dense")
            self.customer.mark("audit-customer")
            self.actor = ui.input("Operator email or API key name").props("outlined dense")
            self.actor.classes("w-72").mark("audit-actor")
        for choice in (self.shown, self.action):
            choice.on_value_change(changed)
        for text in (self.customer, self.actor):
            text.on("keydown.enter", changed)
            text.on("blur", changed)

    def variables(self) -> dict[str, Any]:
        return variables(
            str(self.shown.value),
            str(self.action.value or ""),
            forms.text(self.customer),
            forms.text(self.actor),
        )


class AuditLog:
    """The lines, 50 at a time ("Show older"), filtered; "Download CSV" of every match."""

    def __init__(self, api: Api, customer: str | None) -> None:
        self.api = api
        self.after: str | None = None
        self.asked: dict[str, Any] = {}
        self.asking = asyncio.Lock()
        self.filters = Filters(customer, self.again)
        self.table = ui.table(columns=COLUMNS, rows=[], row_key="id")
        self.table.props('flat bordered wrap-cells no-data-label="Nothing matches."')
        self.table.classes("w-full").mark("audit")
        with ui.row().classes("gap-2"):
            self.more = ui.button("Show older", on_click=self.load).props("flat no-caps")
            self.more.mark("older")
            ui.button("Download CSV", icon="download", on_click=self.download).props(
                "flat no-caps"
            ).mark("audit-csv")

    async def load(self) -> None:
        data = await fetch(self.api, PAGE, {"after": self.after} | self.filters.variables())
        if data is None:
            self.more.set_visibility(False)
            return
        page = data["auditLog"]
        self.table.rows = [*self.table.rows, *(entry_row(e) for e in page["nodes"])]
        self.table.update()
        self.after = page["pageInfo"]["endCursor"]
        self.more.set_visibility(page["pageInfo"]["hasNextPage"])

    async def again(self) -> None:
        # Enter and then blur ask twice at once: one at a time, or both pages would be shown.
        async with self.asking:
            if self.filters.variables() == self.asked and self.table.rows:
                return
            self.asked = self.filters.variables()
            self.after = None
            self.table.rows = []
            await self.load()

    async def download(self) -> None:
        entries: list[dict[str, Any]] = []
        after: str | None = None
        while len(entries) < CSV_LIMIT:
            data = await fetch(self.api, PAGE, {"after": after} | self.filters.variables())
            if data is None:
                return
            entries += data["auditLog"]["nodes"]
            after = data["auditLog"]["pageInfo"]["endCursor"]
            if not data["auditLog"]["pageInfo"]["hasNextPage"]:
                break
        ui.download.content(csv_of(entries), "tally-audit-log.csv", "text/csv")


async def audit(api: Api, customer: str | None) -> None:
    ui.label("Who did what, and why. Nothing here can be changed or deleted.").classes(
        "text-grey-8"
    )
    log = AuditLog(api, customer)
    await log.again()


def register(console: Console) -> None:
    @ui.page("/console/audit", title="Audit log · Tally")
    async def audit_page(customer: str | None = None) -> Response | None:
        title = f"Audit log · {customer}" if customer else "Audit log"
        return await page(console, "/console/audit", title, audit, customer)
