"""One customer: the live balance in plain words, grants, history with value translation,
the balance over time, and (for admins) top-up, grant, void and portal-link actions."""

from __future__ import annotations

import contextlib
from datetime import datetime
from decimal import Decimal
from typing import Any

from nicegui import background_tasks, ui
from starlette.responses import Response

from console import auth, format
from console.api import Caller, Console, Refused, problem
from console.billing_actions import TopUpDialog
from console.dialogs import GrantDialog, Target, VoidDialog
from console.layout import error_banner, frame, stat
from console.wallet_settings import Sections

DETAIL = """
query Customer($id: String!) {
  customer(externalId: $id) {
    externalId name billingEmail currency createdAt
    wallet {
      id currency rate policy overdraftLimit balance debt
      balanceValue { amount currency }
      grants(first: 100) {
        nodes { id kind source amount remaining expiresAt description createdAt }
      }
      ledgerEntries(first: 100) {
        nodes { id kind credits balanceAfter description units unitLabel createdAt }
      }
    }
  }
}
"""
CONSUMPTION = """
query Consumption($id: String!, $days: Int!) {
  consumptionByDay(days: $days, customerExternalId: $id) { day credits }
}
"""
USAGE = """
query Usage($id: String!, $days: Int!) {
  usageByMetric(customerExternalId: $id, days: $days) { metricCode unitLabel units credits }
}
"""
LIVE = """
subscription Live($id: ID!) {
  walletUpdated(walletId: $id, initial: false) { balance debt entry { id } }
}
"""
PORTAL = """
mutation Portal($id: String!) {
  createPortalLink(customerExternalId: $id) {
    __typename ... on PortalLink { url expiresAt } ... on Error { code message field }
  }
}
"""
GRANT_COLUMNS = [
    {"name": "added", "label": "Added", "field": "added", "align": "left"},
    {"name": "source", "label": "How", "field": "source", "align": "left"},
    {"name": "amount", "label": "Amount", "field": "amount", "align": "right"},
    {"name": "remaining", "label": "Left", "field": "remaining", "align": "right"},
    {"name": "expires", "label": "Expires", "field": "expires", "align": "left"},
]
LEDGER_COLUMNS = [
    {"name": "when", "label": "When", "field": "when", "align": "left"},
    {"name": "what", "label": "What", "field": "what", "align": "left"},
    {"name": "change", "label": "Change", "field": "change", "align": "right"},
    {"name": "detail", "label": "Details", "field": "detail", "align": "left"},
    {"name": "after", "label": "Balance after", "field": "after", "align": "right"},
]
POLICY_WORDS = {
    "BLOCK": "Access stops when the balance reaches zero.",
    "OVERDRAFT": "Access continues into an overdraft of up to {limit}.",
    "ALLOW": "Access never stops; usage beyond the credits is billed later.",
}


def grant_row(grant: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": grant["id"],
        "added": format.day(grant["createdAt"]),
        "source": f"{format.SOURCE_WORDS.get(grant['source'], grant['source'])}"
        f" ({grant['kind'].lower()})",
        "amount": format.number(grant["amount"]),
        "remaining": format.number(grant["remaining"]),
        "expires": format.day(grant["expiresAt"]) if grant["expiresAt"] else "never",
    }


def ledger_row(entry: dict[str, Any]) -> dict[str, Any]:
    credits = Decimal(entry["credits"])
    sign = "+" if credits > 0 else "−" if credits < 0 else ""
    return {
        "id": entry["id"],
        "when": format.when(entry["createdAt"]),
        "what": format.KIND_WORDS.get(entry["kind"], entry["kind"].title()),
        "change": f"{sign}{format.number(abs(credits))}",
        "detail": entry["description"],
        "after": format.number(entry["balanceAfter"]),
    }


def usage_chart(usage: list[dict[str, Any]]) -> None:
    ui.echart(
        {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 60, "right": 20, "top": 20, "bottom": 40},
            "xAxis": {"type": "category", "data": [u["metricCode"] for u in usage]},
            "yAxis": {"type": "value", "name": "credits"},
            "series": [{"type": "bar", "data": [float(Decimal(u["credits"])) for u in usage]}],
        }
    ).classes("w-full h-64").mark("usage-chart")
    for u in usage:
        units = f"{format.number(u['units'])} {u['unitLabel'] or u['metricCode']}"
        ui.label(f"{u['metricCode']}: {units} for {format.credits(u['credits'])}").classes(
            "text-grey-8"
        ).mark("usage-line")


def balance_chart(entries: list[dict[str, Any]], now: datetime) -> None:
    points = [[e["createdAt"], float(Decimal(e["balanceAfter"]))] for e in reversed(entries)]
    points.append([now.isoformat(), points[-1][1]])  # the current balance, up to now
    ui.echart(
        {
            "tooltip": {"trigger": "axis"},
            "grid": {"left": 60, "right": 20, "top": 20, "bottom": 40},
            "xAxis": {"type": "time", "minInterval": 60_000},  # no millisecond labels
            "yAxis": {"type": "value", "name": "credits"},
            "series": [{"type": "line", "step": "end", "data": points, "showSymbol": False}],
        }
    ).classes("w-full h-64").mark("balance-chart")


class CustomerView:
    def __init__(self, console: Console, caller: Caller, external_id: str) -> None:
        self.console, self.caller, self.external_id = console, caller, external_id
        self.data: dict[str, Any] = {}

    async def load(self) -> dict[str, Any] | None:
        variables = {"id": self.external_id, "days": 30}
        data = await self.console.execute(self.caller, DETAIL, {"id": self.external_id})
        customer: dict[str, Any] | None = data["customer"]
        if customer is not None:
            more = await self.console.execute(self.caller, CONSUMPTION, variables)
            data = {**data, **more}
            if self.console.has_query("usageByMetric"):
                usage = await self.console.execute(self.caller, USAGE, variables)
                data = {**data, **usage}
        self.data = data
        return customer

    def pace(self) -> Decimal:
        return format.daily_pace([Decimal(d["credits"]) for d in self.data["consumptionByDay"]])

    @ui.refreshable_method
    def balance(self) -> None:
        customer = self.data["customer"]
        wallet = customer["wallet"]
        if wallet is None:
            ui.label(f"{customer['name']} has no {customer['currency']} wallet yet.")
            return
        balance = Decimal(wallet["balance"])
        ui.label(format.balance_sentence(customer["name"], balance, self.pace())).classes(
            "text-h6"
        ).mark("balance-sentence")
        with ui.row().classes("w-full gap-4"):
            stat("Balance", format.credits(balance), "moves live as usage arrives", "balance")
            stat(
                "Worth",
                format.money(wallet["balanceValue"]["amount"], wallet["currency"]),
                f"1 credit = {Decimal(wallet['rate']).normalize():f} {wallet['currency']}",
            )
            stat(
                "Used per day",
                format.credits(self.pace().quantize(Decimal(1))),
                "average of the last 7 days",
            )
        limit = format.credits(wallet["overdraftLimit"])
        ui.label(POLICY_WORDS.get(wallet["policy"], "").format(limit=limit)).classes("text-grey-8")

    @ui.refreshable_method
    def history(self) -> None:
        wallet = self.data["customer"]["wallet"]
        if wallet is None:
            return
        entries = wallet["ledgerEntries"]["nodes"]
        if "usageByMetric" in self.data:
            with ui.card().classes("w-full").mark("usage"):
                ui.label("Usage by metric (last 30 days)").classes("text-subtitle1")
                if self.data["usageByMetric"]:
                    usage_chart(self.data["usageByMetric"])
                else:
                    ui.label("No usage in the last 30 days.").classes("text-grey-8")
        with ui.card().classes("w-full"):
            ui.label("Balance over time").classes("text-subtitle1")
            if entries:
                balance_chart(entries, self.console.runtime.clock.now())
            else:
                ui.label("No history yet.").classes("text-grey-8")
        with ui.card().classes("w-full"):
            ui.label("Credits on hand (grants)").classes("text-subtitle1")
            grants = [grant_row(g) for g in wallet["grants"]["nodes"]]
            if grants:
                ui.table(columns=GRANT_COLUMNS, rows=grants, row_key="id").props(
                    "flat dense"
                ).classes("w-full").mark("grants")
            else:
                ui.label("No credits granted yet.").classes("text-grey-8")
        with ui.card().classes("w-full"):
            ui.label("History (newest first)").classes("text-subtitle1")
            if entries:
                ui.table(
                    columns=LEDGER_COLUMNS, rows=[ledger_row(e) for e in entries], row_key="id"
                ).props("flat dense").classes("w-full").mark("ledger")
            else:
                ui.label("Nothing has happened yet.").classes("text-grey-8")

    async def refresh(self) -> None:
        try:
            await self.load()
        except Refused as error:
            ui.notify(error.message, type="negative")
            return
        self.balance.refresh()
        self.history.refresh()

    def target(self) -> Target:
        customer = self.data["customer"]
        wallet = customer["wallet"]
        return Target(wallet["id"], customer["name"], wallet["currency"], Decimal(wallet["rate"]))

    async def portal_link(self) -> None:
        try:
            data = await self.console.execute(self.caller, PORTAL, {"id": self.external_id})
        except Refused as error:
            ui.notify(error.message, type="negative")
            return
        link = data["createPortalLink"]
        failed = problem(link)
        if failed is not None:
            ui.notify(failed.message, type="negative")
            return
        with ui.dialog() as dialog, ui.card().classes("w-[36rem] gap-2"):
            ui.label("Customer portal link").classes("text-h6")
            ui.label(
                f"Send this link to {self.data['customer']['name']} only: it shows their "
                f"balance and history until {format.when(link['expiresAt'])} UTC."
            )
            ui.input(value=link["url"]).props("readonly outlined dense").classes("w-full").mark(
                "portal-url"
            )
            with ui.row().classes("w-full justify-end"):
                ui.button(
                    "Copy", icon="content_copy", on_click=lambda: ui.clipboard.write(link["url"])
                ).props("flat no-caps")
                ui.button("Done", on_click=dialog.close).props("unelevated no-caps")
        dialog.open()

    async def follow(self, wallet_id: str) -> None:
        """Move the balance on screen as the wallet changes (the walletUpdated subscription,
        fed by the live bus), until the page is closed."""
        stream = await self.console.schema.subscribe(
            LIVE, variable_values={"id": wallet_id}, context_value=self.console.context(self.caller)
        )
        try:
            async for result in stream:
                if getattr(result, "errors", None):
                    return
                await self.refresh()
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()


def register(console: Console) -> None:
    @ui.page("/console/customers/{external_id}", title="Customer · Tally")
    async def customer_page(external_id: str) -> Response | None:
        path = f"/console/customers/{external_id}"
        caller = await auth.require(console, path)
        if not isinstance(caller, Caller):
            return caller
        view = CustomerView(console, caller, external_id)
        with frame("", caller, "/console/customers"):
            try:
                customer = await view.load()
            except Refused as error:
                error_banner(error.message)
                return None
            if customer is None:
                error_banner(
                    f"There is no customer with the id “{external_id}”. "
                    "Find them on the Customers page."
                )
                return None
            ui.link("← All customers", "/console/customers").classes("text-primary")
            with ui.row().classes("w-full items-center"):
                with ui.column().classes("gap-0"):
                    ui.label(customer["name"]).classes("text-h5").mark("customer-name")
                    email = customer["billingEmail"] or "no billing email"
                    ui.label(f"Id {customer['externalId']} · {email}").classes("text-grey-8")
                ui.space()
                wallet = customer["wallet"]
                extra = (
                    Sections(console, caller, wallet["id"], external_id, customer["name"])
                    if wallet is not None
                    else None
                )
                if caller.is_admin and wallet is not None and extra is not None:
                    if console.has_mutation("topUp"):

                        async def topped_up(more: Sections = extra) -> None:
                            await view.refresh()
                            more.invoices.show.refresh()

                        top_up = TopUpDialog(console, caller, view.target(), external_id, topped_up)
                        ui.button("Top up", icon="shopping_cart", on_click=top_up.open).props(
                            "unelevated no-caps"
                        ).mark("top-up")
                    grant = GrantDialog(console, caller, view.target(), view.refresh)
                    void = VoidDialog(console, caller, view.target(), view.refresh)
                    ui.button("Grant credits", icon="add_card", on_click=grant.open).props(
                        "unelevated no-caps"
                    ).mark("grant")
                    ui.button("Remove credits", icon="remove", on_click=void.open).props(
                        "outline no-caps"
                    ).mark("void")
                    ui.button("Portal link", icon="link", on_click=view.portal_link).props(
                        "flat no-caps"
                    ).mark("portal-link")
                elif not caller.is_admin:
                    ui.label("Read only: ask an admin to grant or remove credits.").classes(
                        "text-grey-8"
                    ).mark("read-only")
            view.balance()
            view.history()
            if extra is not None:
                await extra.render()
            if wallet is not None:
                task = background_tasks.create(
                    view.follow(wallet["id"]), name="live balance", context=ui.context.client
                )
                ui.context.client.on_delete(task.cancel)
        return None
