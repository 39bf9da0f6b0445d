"""The audit log: every action in plain words, newest first."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format
from console.api import Caller, Console, Refused
from console.credentials import LOGIN_ACTIONS
from console.layout import error_banner, frame

PAGE = """
query Audit($after: String, $customer: String, $actions: [String!], $exclude: [String!]) {
  auditLog(first: 50, after: $after, customerExternalId: $customer, actions: $actions,
           excludeActions: $exclude) {
    nodes { id createdAt summary actorKind }
    pageInfo { hasNextPage endCursor }
  }
}
"""
COLUMNS = [
    {"name": "when", "label": "When (UTC)", "field": "when", "align": "left"},
    {"name": "summary", "label": "What happened", "field": "summary", "align": "left"},
]


# Failed and throttled console logins can be many: shown, hidden, or alone.
SHOWN = {"all": "Everything", "without": "Without failed logins", "only": "Failed logins only"}


def login_filter(choice: str) -> dict[str, list[str] | None]:
    actions = list(LOGIN_ACTIONS)
    if choice == "only":
        return {"actions": actions, "exclude": None}
    return {"actions": None, "exclude": actions if choice == "without" else None}


def entry_row(entry: dict[str, Any]) -> dict[str, Any]:
    return {"id": entry["id"], "when": format.when(entry["createdAt"]), "summary": entry["summary"]}


def register(console: Console) -> None:
    @ui.page("/console/audit", title="Audit log · Tally")
    async def audit_page(customer: str | None = None) -> Response | None:
        caller = await auth.require(console, "/console/audit")
        if not isinstance(caller, Caller):
            return caller
        title = f"Audit log · {customer}" if customer else "Audit log"
        with frame(title, caller, "/console/audit"):
            ui.label("Who did what, and why. Nothing here can be changed or deleted.").classes(
                "text-grey-8"
            )
            shown = ui.select(SHOWN, value="all", label="Show").props("outlined dense")
            shown.classes("w-64").mark("audit-filter")
            table = ui.table(columns=COLUMNS, rows=[], row_key="id")
            table.props('flat bordered wrap-cells no-data-label="Nothing has been done yet."')
            table.classes("w-full").mark("audit")
            more = ui.button("Show older").props("flat no-caps").mark("older")
            cursor: dict[str, str | None] = {"after": None}

            async def load() -> None:
                variables = {"after": cursor["after"], "customer": customer}
                try:
                    data = await console.execute(
                        caller, PAGE, {**variables, **login_filter(str(shown.value))}
                    )
                except Refused as error:
                    error_banner(error.message)
                    more.set_visibility(False)
                    return
                page = data["auditLog"]
                table.rows = [*table.rows, *(entry_row(e) for e in page["nodes"])]
                table.update()
                cursor["after"] = page["pageInfo"]["endCursor"]
                more.set_visibility(page["pageInfo"]["hasNextPage"])

            async def again() -> None:
                cursor["after"] = None
                table.rows = []
                await load()

            more.on_click(load)
            shown.on_value_change(again)
            await load()
        return None
