"""Customers: search, the list with balances, and a dialog to create one."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import format, forms
from console.api import Api, Console, operation
from console.dialog import Dialog
from console.errors import Inputs, fetch
from console.layout import page

LIST = operation("""
query Customers($search: String) {
  customers(first: 100, search: $search) {
    nodes { externalId name billingEmail currency wallet { balance currency } }
  }
}
""")
CREATE = operation("""
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    __typename
    ... on CustomerPayload { customer { externalId name } }
    ... on Error { code message field }
  }
}
""")
COLUMNS: list[dict[str, Any]] = [
    {"name": "name", "label": "Name", "field": "name", "align": "left", "sortable": True},
    {"name": "externalId", "label": "Your id", "field": "externalId", "align": "left"},
    {"name": "balance", "label": "Balance", "field": "balance", "align": "right"},
    {"name": "email", "label": "Billing email", "field": "email", "align": "left"},
]


def row(node: dict[str, Any]) -> dict[str, Any]:
    wallet = node["wallet"]
    return {
        "externalId": node["externalId"],
        "name": node["name"],
        "balance": format.credits(wallet["balance"]) if wallet else "no wallet",
        "email": node["billingEmail"] or "—",
    }


def caption(text: str) -> None:
    ui.label(text).classes("text-caption text-grey-7")


class NewCustomer(Dialog):
    button = "Create customer"
    width = "w-[28rem]"
    document = CREATE

    def __init__(self, api: Api) -> None:
        super().__init__(api, "new-customer", "New customer", "create-customer")

    def ask(self) -> None:
        self.name = ui.input("Name", placeholder="Acme Corp").classes("w-full").mark("new-name")
        self.external_id = ui.input("Your id for this customer", placeholder="acme")
        self.external_id.classes("w-full").mark("new-external-id")
        caption("The id your product uses for this customer; events name it.")
        self.email = ui.input("Billing email (optional)").classes("w-full").mark("new-email")
        self.currency = ui.input("Currency", value="USD").classes("w-full").mark("new-currency")
        self.rate = ui.input("Value of one credit", value="0.01").classes("w-full")
        self.rate.mark("new-rate")
        caption("In the currency above: 0.01 means 100 credits cost 1.00.")

    def inputs(self) -> Inputs:
        return {
            "name": self.name,
            "externalId": self.external_id,
            "billingEmail": self.email,
            "currency": self.currency,
            "rate": self.rate,
        }

    def checked(self) -> bool:
        missing = [
            (element, text)
            for element, text in (
                (self.name, "Enter the customer's name."),
                (self.external_id, "Enter the id your product uses, like acme."),
                (self.currency, "Enter a currency code, like USD."),
                (self.rate, "Enter what one credit is worth, like 0.01."),
            )
            if not forms.text(element)
        ]
        for element, text in missing:
            element.error = text
        return not missing

    def variables(self) -> dict[str, Any]:
        return {
            "input": {
                "externalId": forms.text(self.external_id),
                "name": forms.text(self.name),
                "currency": forms.text(self.currency).upper(),
                "billingEmail": forms.text(self.email) or None,
                "wallet": {"rate": forms.text(self.rate)},
            }
        }

    async def succeeded(self, payload: dict[str, Any]) -> None:
        created = payload["customer"]
        ui.notify(f"{created['name']} was created.", type="positive")
        ui.navigate.to(f"/console/customers/{created['externalId']}")


class Customers:
    def __init__(self, api: Api, search: str) -> None:
        self.api = api
        with ui.row().classes("w-full items-center"):
            self.box = ui.input("Search by name, id or billing email", value=search)
            self.box.props("outlined dense clearable").classes("w-96").mark("search")
            search_button = ui.button("Search").props("outline no-caps").mark("search-button")
            ui.space()
            if api.is_admin:
                dialog = NewCustomer(api)
                ui.button("New customer", icon="add", on_click=dialog.open).props(
                    "unelevated no-caps"
                ).mark("new-customer")
        self.table = ui.table(columns=COLUMNS, rows=[], row_key="externalId").classes("w-full")
        self.table.mark("customers")
        self.table.on(
            "rowClick", lambda e: ui.navigate.to(f"/console/customers/{e.args[1]['externalId']}")
        )
        self.table.props('flat bordered no-data-label="No customers to show."')
        self.empty = ui.label("").classes("text-grey-8")
        search_button.on_click(self.load)
        self.box.on("keydown.enter", self.load)
        self.box.on("clear", self.load)

    async def load(self) -> None:
        term = forms.text(self.box) or None
        data = await fetch(self.api, LIST, {"search": term})
        if data is None:
            return
        self.table.rows = [row(n) for n in data["customers"]["nodes"]]
        self.table.update()
        self.table.set_visibility(bool(self.table.rows))
        if self.table.rows:
            self.empty.set_text("Click a customer to see their balance and history.")
        elif term:
            self.empty.set_text(f"No customer matches “{term}”. Try the start of the name.")
        else:
            self.empty.set_text("No customers yet. Create one with “New customer”.")


async def customers(api: Api, search: str) -> None:
    await Customers(api, search).load()


def register(console: Console) -> None:
    @ui.page("/console/customers", title="Customers · Tally")
    async def customers_page(search: str = "") -> Response | None:
        return await page(console, "/console/customers", "Customers", customers, search)
