"""A customer's payment methods: which one top-ups, recharges and invoices charge (the
default). Admins add a sandbox test card or make another method the default; with Stripe the
card is collected by Stripe's own flow, and the console says how."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from console.api import ERROR_FIELDS, Api, operation
from console.dialog import Confirmation, Dialog
from console.errors import NOTE, Inputs, fetch

METHODS = operation("""
query PaymentMethods($id: String!) {
  paymentMethods(customerExternalId: $id) { id provider reference label isDefault }
}
""")
METHOD = "paymentMethod { id reference label isDefault }"
ADD = operation(f"""
mutation AddPaymentMethod($input: AddPaymentMethodInput!) {{
  addPaymentMethod(input: $input) {{ ... on PaymentMethodPayload {{ {METHOD} }} {ERROR_FIELDS} }}
}}
""")
MAKE_DEFAULT = operation(f"""
mutation SetDefaultPaymentMethod($input: SetDefaultPaymentMethodInput!) {{
  setDefaultPaymentMethod(input: $input) {{
    ... on PaymentMethodPayload {{ {METHOD} }} {ERROR_FIELDS}
  }}
}}
""")
TEST_CARDS = {
    "pm_sandbox_ok": "Test card that pays (Visa •••• 4242)",
    "pm_sandbox_decline": "Test card that is declined (•••• 0002)",
    "pm_sandbox_late_fail": "Test card that fails later, after accepting (•••• 0341)",
}
LABELS = {
    "pm_sandbox_ok": "Visa •••• 4242",
    "pm_sandbox_decline": "Visa •••• 0002",
    "pm_sandbox_late_fail": "Visa •••• 0341",
}
STRIPE = (
    "Cards are collected by Stripe: the customer enters them in Stripe's own form (a "
    "SetupIntent in your app or Stripe Checkout in setup mode); your integration then "
    "saves the resulting pm_… id with the addPaymentMethod mutation. The console never "
    "sees card numbers."
)


def method_words(method: dict[str, Any]) -> str:
    name = method["label"] or method["reference"]
    return f"{name} ({method['provider'].lower()})" + (" — default" if method["isDefault"] else "")


class AddCardDialog(Dialog):
    document = ADD

    def __init__(self, api: Api, external_id: str, name: str, changed: Any) -> None:
        self.external_id, self.name, self.changed = external_id, name, changed
        super().__init__(api, "add-card", f"Add a test card for {name}", "add-card-next")

    def ask(self) -> None:
        ui.label("Sandbox test cards behave like real ones without moving money.").classes(
            "text-caption text-grey-7"
        )
        self.card = ui.select(TEST_CARDS, label="Test card").classes("w-full")
        self.default = ui.checkbox("Make it the default (top-ups and invoices charge it)")

    def inputs(self) -> Inputs:
        return {"reference": self.card}

    def checked(self) -> bool:
        if not self.card.value:
            self.card.error = "Choose the test card to add."
        return bool(self.card.value)

    def confirmations(self) -> list[Confirmation]:
        default = " and make it the default" if self.default.value else ""
        line = f"Add {LABELS[str(self.card.value)]} to {self.name}{default}."
        return [Confirmation([line, TEST_CARDS[str(self.card.value)] + "."], "Yes, add the card")]

    def variables(self) -> dict[str, Any]:
        card = str(self.card.value)
        return {
            "input": {
                "customerExternalId": self.external_id,
                "reference": card,
                "provider": "SANDBOX",
                "label": LABELS[card],
                "makeDefault": bool(self.default.value),
            }
        }

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify(f"{payload['paymentMethod']['label']} is added.", type="positive")
        await self.changed()


class DefaultDialog(Dialog):
    document = MAKE_DEFAULT

    def __init__(self, api: Api, external_id: str, method: dict[str, Any], changed: Any) -> None:
        self.external_id, self.method, self.changed = external_id, method, changed
        super().__init__(api, "make-default", "Change the default payment method?", "default-next")

    def ask(self) -> None:
        ui.label(f"Top-ups, auto-recharges and invoices will charge {self.label}.")

    @property
    def label(self) -> str:
        return str(self.method["label"] or self.method["reference"])

    def confirmations(self) -> list[Confirmation]:
        return [
            Confirmation(
                [f"Make {self.label} the default payment method."], "Yes, make it the default"
            )
        ]

    def variables(self) -> dict[str, Any]:
        return {
            "input": {"customerExternalId": self.external_id, "paymentMethodId": self.method["id"]}
        }

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify(f"{self.label} is now the default.", type="positive")
        await self.changed()


class PaymentMethods:
    def __init__(self, api: Api, external_id: str, name: str) -> None:
        self.api, self.external_id, self.name = api, external_id, name
        self.provider = api.console.runtime.settings.payment_provider

    def can(self, mutation: str) -> bool:
        return self.api.is_admin and self.api.console.has_mutation(mutation)

    async def changed(self) -> None:
        self.show.refresh()

    @ui.refreshable_method
    async def show(self) -> None:
        data = await fetch(self.api, METHODS, {"id": self.external_id}, NOTE)
        if data is None:
            return
        methods = data["paymentMethods"]
        for method in methods:
            with ui.row().classes("items-center gap-2").mark("payment-method"):
                ui.label(method_words(method))
                if not method["isDefault"] and self.can("setDefaultPaymentMethod"):
                    ui.button("Make default", on_click=lambda m=method: self.make_default(m)).props(
                        "flat dense no-caps"
                    )
        if not methods:
            ui.label("No payment method yet: top-ups and invoices cannot be charged.").classes(
                "text-grey-8"
            )
        if self.provider == "stripe":
            ui.label(STRIPE).classes("text-caption text-grey-8").mark("stripe-pointer")
        elif self.can("addPaymentMethod"):
            ui.button("Add a test card", icon="credit_card", on_click=self.add).props(
                "outline no-caps"
            ).mark("add-card")

    def add(self) -> None:
        AddCardDialog(self.api, self.external_id, self.name, self.changed).open()

    def make_default(self, method: dict[str, Any]) -> None:
        DefaultDialog(self.api, self.external_id, method, self.changed).open()
