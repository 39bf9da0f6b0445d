"""Selling credits and plans from the customer page: the top-up dialog (a paid purchase: an
invoice charged to a payment method), the plan card (subscribe, terminate with its final
invoice) and the customer's invoices, which both refresh. Admins only act; viewers read."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Caller, Console, Refused, problem
from console.dialogs import Target, confirm

Done = Callable[[], Awaitable[None]]

BUNDLES = "query { bundles { code name credits bonusCredits price { amount currency } } }"
METHODS = """
query Methods($id: String!) { paymentMethods(customerExternalId: $id) { id label isDefault } }
"""
TOP_UP = """
mutation TopUp($input: TopUpInput!) {
  topUp(input: $input) {
    __typename
    ... on RechargePayload {
      recharge {
        id status credits bonusCredits failureReason grantedAt
        invoice { id number total { amount currency } }
      }
    }
    ... on Error { code message field }
  }
}
"""
BY_CREDITS = "credits"
DEFAULT_METHOD = "default"


def top_up_words(recharge: dict[str, Any], customer: str) -> str:
    """What happens next, from the top-up's payload."""
    credits = Decimal(recharge["credits"]) + Decimal(recharge["bonusCredits"])
    amount = format.credits(credits)
    invoice = recharge["invoice"]
    if invoice is None:
        what = "The purchase was recorded"
    else:
        total = format.money(invoice["total"]["amount"], invoice["total"]["currency"])
        what = f"Invoice {invoice['number'] or '(draft)'} for {total} created"
    if recharge["status"] == "FAILED":
        reason = recharge["failureReason"] or "the payment failed"
        return f"{what}, but the purchase failed: {reason}."
    if recharge["status"] == "SUCCEEDED":
        return f"{what} and paid; {amount} were added to {customer}."
    if recharge["grantedAt"]:
        return (
            f"{what}; {amount} are already in the wallet (they are taken back if the payment "
            "fails)."
        )
    return f"{what}; {amount} arrive when it is paid."


class TopUpDialog:
    """Sell credits: an amount or a bundle, a payment method → confirmation → ``topUp``."""

    def __init__(
        self, console: Console, caller: Caller, target: Target, external_id: str, done: Done
    ) -> None:
        self.console, self.caller, self.target, self.done = console, caller, target, done
        self.external_id = external_id
        self.key = ""
        self.stage = "form"
        self.amount = Decimal(0)
        self.bundles: dict[str, dict[str, Any]] = {}
        self.dialog = ui.dialog()
        with self.dialog, ui.card().classes("w-[30rem] gap-2"):
            ui.label(f"Sell credits to {target.customer_name}").classes("text-h6")
            ui.label(
                "Creates an invoice and charges it to a payment method on file; the credits "
                "arrive when it is paid."
            ).classes("text-caption text-grey-7")
            self.form = ui.column().classes("w-full gap-2")
            with self.form:
                self.what = ui.select({BY_CREDITS: "A number of credits"}, value=BY_CREDITS)
                self.what.props("label='What to sell'").classes("w-full").mark("topup-what")
                self.what.on_value_change(lambda _: self.show_amount())
                self.amount_input = ui.input("Credits", placeholder="5000").classes("w-full")
                self.amount_input.mark("topup-amount")
                self.price = ui.label("").classes("text-caption text-grey-7")
                self.method = ui.select({DEFAULT_METHOD: "The customer's default"})
                self.method.props("label='Charge to'").classes("w-full").mark("topup-method")
            self.confirm = ui.column().classes("w-full gap-2")
            self.message = ui.label("").classes("text-negative").mark("topup-error")
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.back = ui.button("Back", on_click=self.edit).props("flat no-caps")
                self.next = ui.button("", on_click=self.step).props("unelevated no-caps")
                self.next.mark("topup-next")

    def fields(self) -> dict[str, Any]:
        return {
            "credits": self.amount_input,
            "bundleCode": self.what,
            "paymentMethodId": self.method,
        }

    async def open(self) -> None:
        self.key = f"console-{uuid.uuid4()}"  # one purchase, however often it is sent
        self.amount_input.value = ""
        try:
            bundles = (await self.console.execute(self.caller, BUNDLES))["bundles"]
            methods = await self.console.execute(self.caller, METHODS, {"id": self.external_id})
        except Refused as error:
            ui.notify(error.message, type="negative")
            return
        self.bundles = {
            b["code"]: b for b in bundles if b["price"]["currency"] == self.target.currency
        }
        options = {BY_CREDITS: "A number of credits"}
        for code, bundle in self.bundles.items():
            credits = Decimal(bundle["credits"]) + Decimal(bundle["bonusCredits"])
            price = format.money(bundle["price"]["amount"], bundle["price"]["currency"])
            options[code] = f"{bundle['name']}: {format.credits(credits)} for {price}"
        self.what.set_options(options, value=BY_CREDITS)
        choices = {DEFAULT_METHOD: "The customer's default payment method"}
        for method in methods["paymentMethods"]:
            default = " (default)" if method["isDefault"] else ""
            choices[method["id"]] = f"{method['label']}{default}"
        if len(choices) == 1:
            choices[DEFAULT_METHOD] = "The customer's default (none on file yet)"
        self.method.set_options(choices, value=DEFAULT_METHOD)
        self.edit()
        self.dialog.open()

    def by_credits(self) -> bool:
        return bool(self.what.value == BY_CREDITS)

    def show_amount(self) -> None:
        self.amount_input.set_visibility(self.by_credits())
        rate = f"{self.target.rate.normalize():f} {self.target.currency}"
        self.price.set_text(f"1 credit = {rate}." if self.by_credits() else "")

    def edit(self) -> None:
        self.stage = "form"
        self.message.set_text("")
        self.form.set_visibility(True)
        self.confirm.set_visibility(False)
        self.back.set_visibility(False)
        self.next.set_text("Review")
        self.next.enable()
        self.show_amount()

    def validate(self) -> bool:
        forms.clear(self.fields())
        if self.by_credits():
            try:
                self.amount = format.parse_credits(forms.text(self.amount_input))
            except ValueError as error:
                self.amount_input.error = str(error)
                return False
        return True

    def summary(self) -> tuple[list[str], str]:
        if self.by_credits():
            value = format.money(self.amount * self.target.rate, self.target.currency)
            what = format.credits(self.amount)
            first = f"Sell {what} to {self.target.customer_name} for about {value}."
        else:
            bundle = self.bundles[self.what.value]
            price = format.money(bundle["price"]["amount"], bundle["price"]["currency"])
            what = bundle["name"]
            first = f"Sell {what} to {self.target.customer_name} for {price}."
        options: Any = self.method.options
        method = str(options[self.method.value])
        if self.method.value == DEFAULT_METHOD:
            method = method[0].lower() + method[1:]
        lines = [
            first,
            f"Charged to: {method}.",
            "An invoice is issued now; the credits arrive when it is paid.",
        ]
        return lines, f"Yes, sell {what}"

    async def step(self) -> None:
        if self.stage == "form":
            if self.validate():
                self.stage = "confirm"
                lines, button = self.summary()
                self.form.set_visibility(False)
                self.back.set_visibility(True)
                self.confirm.clear()
                with self.confirm:
                    for line in lines:
                        ui.label(line).classes("text-body1")
                self.confirm.set_visibility(True)
                self.next.set_text(button)
            return
        await self.send()

    def variables(self) -> dict[str, Any]:
        data: dict[str, Any] = {"walletId": self.target.wallet_id, "idempotencyKey": self.key}
        if self.by_credits():
            data["credits"] = str(self.amount)
        else:
            data["bundleCode"] = self.what.value
        if self.method.value != DEFAULT_METHOD:
            data["paymentMethodId"] = self.method.value
        return {"input": data}

    async def send(self) -> None:
        self.next.disable()  # a second click waits; the idempotency key covers a resend
        try:
            data = await self.console.execute(self.caller, TOP_UP, self.variables())
        except Refused as error:
            self.message.set_text(error.message)
            self.next.enable()
            return
        failed = problem(data["topUp"])
        if failed is not None:
            self.key = f"console-{uuid.uuid4()}"  # a corrected request is a new purchase
            self.edit()
            if not forms.show(failed, self.fields()):
                self.message.set_text(forms.sentence(failed.message))
            return
        self.dialog.close()
        words = top_up_words(data["topUp"]["recharge"], self.target.customer_name)
        ui.notify(words, type="positive", multi_line=True)
        await self.done()


SUBSCRIPTIONS = """
query Subscriptions($id: String!) {
  subscriptions(customerExternalId: $id, statuses: [ACTIVE, SUSPENDED]) {
    nodes {
      id status currentPeriodStart currentPeriodEnd plan { name }
      usage { units credits metric { unitPlural } }
    }
  }
}
"""
PLANS = "query { plans(first: 100) { nodes { code name currency interval } } }"
SUBSCRIPTION_RESULT = (
    "__typename ... on SubscriptionPayload { subscription { id status plan { name } } } "
    "... on Error { code message field }"
)
SUBSCRIBE = f"""
mutation Subscribe($input: CreateSubscriptionInput!) {{
  createSubscription(input: $input) {{ {SUBSCRIPTION_RESULT} }}
}}
"""
TERMINATE = f"""
mutation Terminate($id: ID!) {{ terminateSubscription(id: $id) {{ {SUBSCRIPTION_RESULT} }} }}
"""
STATUS_WORDS = {
    "ACTIVE": "active",
    "SUSPENDED": "suspended (an invoice is overdue: usage is refused until it is paid)",
}
INTERVAL_WORDS = {"MONTHLY": "monthly", "YEARLY": "yearly", "WEEKLY": "weekly"}


class SubscriptionCard:
    """The customer's live plan; admins subscribe or terminate, then ``changed`` runs."""

    def __init__(
        self, console: Console, caller: Caller, external_id: str, name: str, changed: Done
    ) -> None:
        self.console, self.caller, self.external_id = console, caller, external_id
        self.name, self.changed = name, changed

    @ui.refreshable_method
    async def show(self) -> None:
        try:
            data = await self.console.execute(self.caller, SUBSCRIPTIONS, {"id": self.external_id})
        except Refused as error:
            ui.label(error.message).classes("text-grey-8")
            return
        nodes = data["subscriptions"]["nodes"]
        if not nodes:
            ui.label("No plan: usage is not priced for this customer yet.").classes(
                "text-grey-8"
            ).mark("no-subscription")
            if self.caller.is_admin and self.console.has_mutation("createSubscription"):
                ui.button(
                    "Subscribe to a plan", icon="event_repeat", on_click=self.subscribe
                ).props("outline no-caps").mark("subscribe")
        for node in nodes:
            period = (
                f"{format.day(node['currentPeriodStart'])} – {format.day(node['currentPeriodEnd'])}"
            )
            status = STATUS_WORDS.get(node["status"], node["status"].lower())
            ui.label(f"{node['plan']['name']}: {status}; this period {period}.").mark(
                "subscription"
            )
            for usage in node["usage"]:
                ui.label(
                    f"{format.number(usage['units'])} {usage['metric']['unitPlural']} so far "
                    f"= {format.credits(usage['credits'])}"
                ).classes("text-grey-8")
            if self.caller.is_admin and self.console.has_mutation("terminateSubscription"):
                ui.button(
                    "Terminate subscription",
                    icon="event_busy",
                    on_click=lambda n=node: self.terminate(n),
                ).props("outline no-caps color=negative").mark("terminate")

    async def subscribe(self) -> None:
        try:
            plans = (await self.console.execute(self.caller, PLANS))["plans"]["nodes"]
        except Refused as error:
            ui.notify(error.message, type="negative")
            return
        with ui.dialog() as dialog, ui.card().classes("w-[30rem] gap-2"):
            ui.label(f"Subscribe {self.name} to a plan").classes("text-h6")
            if not plans:
                ui.label("There are no plans yet. Create one first (Plans & metrics).")
                with ui.row().classes("w-full justify-end"):
                    ui.button("Close", on_click=dialog.close).props("flat no-caps")
                dialog.open()
                return
            options = {
                p["code"]: f"{p['name']} (billed "
                f"{INTERVAL_WORDS.get(p['interval'], p['interval'].lower())}, {p['currency']})"
                for p in plans
            }
            plan = ui.select(options, label="Plan").classes("w-full").mark("subscribe-plan")
            ui.label("Billing starts now; usage from now on is priced by this plan.").classes(
                "text-caption text-grey-7"
            )
            message = ui.label("").classes("text-negative").mark("subscribe-error")
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=dialog.close).props("flat no-caps")

                async def go() -> None:
                    plan.error = None
                    message.set_text("")
                    if not plan.value:
                        plan.error = "Pick a plan from the list."
                        return
                    variables = {
                        "input": {"customerExternalId": self.external_id, "planCode": plan.value}
                    }
                    try:
                        data = await self.console.execute(self.caller, SUBSCRIBE, variables)
                    except Refused as error:
                        message.set_text(error.message)
                        return
                    failed = problem(data["createSubscription"])
                    if failed is not None:
                        if not forms.show(failed, {"planCode": plan}):
                            message.set_text(forms.sentence(failed.message))
                        return
                    dialog.close()
                    chosen = data["createSubscription"]["subscription"]["plan"]["name"]
                    ui.notify(f"{self.name} is now on {chosen}.", type="positive")
                    await self.changed()

                ui.button("Subscribe", on_click=go).props("unelevated no-caps").mark(
                    "confirm-subscribe"
                )
        dialog.open()

    def terminate(self, node: dict[str, Any]) -> None:
        plan = node["plan"]["name"]

        async def act(_: str) -> None:
            try:
                data = await self.console.execute(self.caller, TERMINATE, {"id": node["id"]})
            except Refused as error:
                ui.notify(error.message, type="negative")
                return
            failed = problem(data["terminateSubscription"])
            if failed is not None:
                ui.notify(forms.sentence(failed.message), type="negative")
                return
            ui.notify(
                f"{self.name} is no longer on {plan}. The final invoice is in the list below.",
                type="positive",
            )
            await self.changed()

        confirm(
            f"Terminate {self.name}'s subscription?",
            [
                f"{self.name} leaves {plan} now: usage from now on is no longer priced by it.",
                "A final invoice is issued now for the period cut short (usage not yet "
                "invoiced, and the base fee for the part of the period used).",
                "This cannot be undone (you can subscribe them again).",
            ],
            "Yes, terminate and invoice now",
            "terminate",
            act,
        )


INVOICES = """
query CustomerInvoices($id: String!, $after: String) {
  invoices(customerExternalId: $id, first: 20, after: $after) {
    nodes { id number type status paymentStatus total { amount currency }
            customer { name externalId } createdAt dueAt paidAt }
    pageInfo { hasNextPage endCursor }
  }
}
"""


class CustomerInvoices:
    def __init__(self, console: Console, caller: Caller, external_id: str) -> None:
        self.console, self.caller, self.external_id = console, caller, external_id

    @ui.refreshable_method
    async def show(self) -> None:
        from console.pages.invoices import COLUMNS, invoice_row
        from console.tables import paged_table

        await paged_table(
            self.console,
            self.caller,
            INVOICES,
            "invoices",
            COLUMNS,
            invoice_row,
            "customer-invoices",
            "No invoices for this customer yet.",
            {"id": self.external_id},
        )
