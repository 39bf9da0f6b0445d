"""Customers: search, the list with balances, and a dialog to create one."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format, forms
from console.api import Caller, Console, Refused, problem
from console.layout import error_banner, frame

LIST = """
query Customers($search: String) {
  customers(first: 100, search: $search) {
    nodes { externalId name billingEmail currency wallet { balance currency } }
  }
}
"""
CREATE = """
mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    __typename
    ... on CustomerPayload { customer { externalId name } }
    ... on Error { code message field }
  }
}
"""
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


def create_dialog(console: Console, caller: Caller) -> ui.dialog:
    with ui.dialog() as dialog, ui.card().classes("w-[28rem] gap-2"):
        ui.label("New customer").classes("text-h6")
        name = ui.input("Name", placeholder="Acme Corp").classes("w-full").mark("new-name")
        external_id = (
            ui.input("Your id for this customer", placeholder="acme")
            .classes("w-full")
            .mark("new-external-id")
        )
        ui.label("The id your product uses for this customer; events name it.").classes(
            "text-caption text-grey-7"
        )
        email = ui.input("Billing email (optional)").classes("w-full").mark("new-email")
        currency = ui.input("Currency", value="USD").classes("w-full").mark("new-currency")
        rate = ui.input("Value of one credit", value="0.01").classes("w-full").mark("new-rate")
        ui.label("In the currency above: 0.01 means 100 credits cost 1.00.").classes(
            "text-caption text-grey-7"
        )
        message = ui.label("").classes("text-negative")
        fields = {
            "name": name,
            "externalId": external_id,
            "billingEmail": email,
            "currency": currency,
            "rate": rate,
        }

        async def create() -> None:
            forms.clear(fields)
            message.set_text("")
            missing = [
                (element, text)
                for element, text in (
                    (name, "Enter the customer's name."),
                    (external_id, "Enter the id your product uses, like acme."),
                    (currency, "Enter a currency code, like USD."),
                    (rate, "Enter what one credit is worth, like 0.01."),
                )
                if not forms.text(element)
            ]
            for element, text in missing:
                element.error = text
            if missing:
                return
            variables = {
                "input": {
                    "externalId": forms.text(external_id),
                    "name": forms.text(name),
                    "currency": forms.text(currency).upper(),
                    "billingEmail": forms.text(email) or None,
                    "wallet": {"rate": forms.text(rate)},
                }
            }
            try:
                data = await console.execute(caller, CREATE, variables)
            except Refused as error:
                message.set_text(error.message)
                return
            failed = problem(data["createCustomer"])
            if failed is not None:
                if not forms.show(failed, fields):
                    message.set_text(forms.sentence(failed.message))
                return
            created = data["createCustomer"]["customer"]
            dialog.close()
            ui.notify(f"{created['name']} was created.", type="positive")
            ui.navigate.to(f"/console/customers/{created['externalId']}")

        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=dialog.close).props("flat no-caps")
            ui.button("Create customer", on_click=create).props("unelevated no-caps").mark(
                "create-customer"
            )
    return dialog


def register(console: Console) -> None:
    @ui.page("/console/customers", title="Customers · Tally")
    async def customers_page(search: str = "") -> Response | None:
        caller = await auth.require(console, "/console/customers")
        if not isinstance(caller, Caller):
            return caller
        with frame("Customers", caller, "/console/customers"):
            with ui.row().classes("w-full items-center"):
                box = (
                    ui.input("Search by name, id or billing email", value=search)
                    .props("outlined dense clearable")
                    .classes("w-96")
                    .mark("search")
                )
                search_button = ui.button("Search").props("outline no-caps").mark("search-button")
                ui.space()
                if caller.is_admin:
                    dialog = create_dialog(console, caller)
                    ui.button("New customer", icon="add", on_click=dialog.open).props(
                        "unelevated no-caps"
                    ).mark("new-customer")
            table = ui.table(columns=COLUMNS, rows=[], row_key="externalId").classes("w-full")
            table.mark("customers")
            table.on(
                "rowClick",
                lambda e: ui.navigate.to(f"/console/customers/{e.args[1]['externalId']}"),
            )
            table.props('flat bordered no-data-label="No customers to show."')
            empty = ui.label("").classes("text-grey-8")

            async def load() -> None:
                term = (box.value or "").strip() or None
                try:
                    data = await console.execute(caller, LIST, {"search": term})
                except Refused as error:
                    error_banner(error.message)
                    return
                table.rows = [row(n) for n in data["customers"]["nodes"]]
                table.update()
                table.set_visibility(bool(table.rows))
                if table.rows:
                    empty.set_text("Click a customer to see their balance and history.")
                elif term:
                    empty.set_text(f"No customer matches “{term}”. Try the start of the name.")
                else:
                    empty.set_text("No customers yet. Create one with “New customer”.")

            search_button.on_click(load)
            box.on("keydown.enter", load)
            box.on("clear", load)
            await load()
        return None
