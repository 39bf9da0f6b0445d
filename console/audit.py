"""The audit log: every action in plain words, newest first."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format
from console.api import Api, Console, operation
from console.errors import fetch
from console.layout import page
from console.login.credentials import LOGIN_ACTIONS
from console.tables import columns

PAGE = operation("""
query Audit($after: String, $customer: String, $actions: [String!], $exclude: [String!]) {
  auditLog(first: 50, after: $after, customerExternalId: $customer, actions: $actions,
           excludeActions: $exclude) {
    nodes { id createdAt summary actorKind }
    pageInfo { hasNextPage endCursor }
  }
}
""")
COLUMNS = columns(("when", "When (UTC)"), ("summary", "What happened"))


# Failed and throttled console logins can be many: shown, hidden, or alone.
SHOWN = {"all": "Everything", "without": "Without failed logins", "only": "Failed logins only"}


def login_filter(choice: str) -> dict[str, list[str] | None]:
    actions = list(LOGIN_ACTIONS)
    if choice == "only":
        return {"actions": actions, "exclude": None}
    return {"actions": None, "exclude": actions if choice == "without" else None}


def entry_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "when": format.when(entry["createdAt"]), "summary": entry["summary"]}


class AuditLog:
    """The lines, 50 at a time ("Show older"), filtered by customer and by failed logins."""

    def __init__(self, api: Api, customer: str | None) -> None:
        self.api, self.customer = api, customer
        self.after: str | None = None
        self.shown = ui.select(SHOWN, value="all", label="Show").props("outlined dense")
        self.shown.classes("w-64").mark("audit-filter")
        self.table = ui.table(columns=COLUMNS, rows=[], row_key="id")
        self.table.props('flat bordered wrap-cells no-data-label="Nothing has been done yet."')
        self.table.classes("w-full").mark("audit")
        self.more = ui.button("Show older", on_click=self.load).props("flat no-caps")
        self.more.mark("older")
        self.shown.on_value_change(self.again)

    async def load(self) -> None:
        variables = {"after": self.after, "customer": self.customer}
        data = await fetch(self.api, PAGE, variables | login_filter(str(self.shown.value)))
        if data is None:
            self.more.set_visibility(False)
            return
        page = data["auditLog"]
        self.table.rows = [*self.table.rows, *(entry_row(e) for e in page["nodes"])]
        self.table.update()
        self.after = page["pageInfo"]["endCursor"]
        self.more.set_visibility(page["pageInfo"]["hasNextPage"])

    async def again(self) -> None:
        self.after = None
        self.table.rows = []
        await self.load()


async def audit(api: Api, customer: str | None) -> None:
    ui.label("Who did what, and why. Nothing here can be changed or deleted.").classes(
        "text-grey-8"
    )
    await AuditLog(api, customer).load()


def register(console: Console) -> None:
    @ui.page("/console/audit", title="Audit log · Tally")
    async def audit_page(customer: str | None = None) -> Response | None:
        title = f"Audit log · {customer}" if customer else "Audit log"
        return await page(console, "/console/audit", title, audit, customer)
