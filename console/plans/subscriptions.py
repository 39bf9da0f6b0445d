"""A customer's plan, on the customer page: the live subscription, its usage so far and what the
period's invoice would come to (the invoice preview); admins subscribe the customer to a plan,
switch its plan (an upgrade now, a downgrade at the period's end, which they may cancel), or
terminate the subscription with its final invoice."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from console import format
from console.api import Api, operation
from console.dialog import Confirmation, Dialog
from console.errors import NOTE, NOTIFY, Inputs, fetch

SUBSCRIPTIONS = operation("""
query Subscriptions($id: String!) {
  subscriptions(customerExternalId: $id, statuses: [ACTIVE, SUSPENDED]) {
    nodes {
      id status currentPeriodStart currentPeriodEnd plan { code name currency }
      scheduledPlan { name }
      usage { units credits metric { unitPlural } }
    }
  }
}
""")
PLANS = operation("query { plans(first: 100) { nodes { code name currency interval } } }")
RESULT = (
    "__typename ... on SubscriptionPayload { subscription { id status plan { name } } } "
    "... on Error { code message field }"
)
SUBSCRIBE = operation(f"""
mutation Subscribe($input: CreateSubscriptionInput!) {{
  createSubscription(input: $input) {{ {RESULT} }}
}}
""")
SWITCH = operation(f"""
mutation Switch($input: SwitchPlanInput!) {{ switchPlan(input: $input) {{ {RESULT} }} }}
""")
CANCEL_SWITCH = operation(f"""
mutation CancelSwitch($id: ID!) {{ cancelPlanSwitch(subscriptionId: $id) {{ {RESULT} }} }}
""")
PREVIEW = operation("""
query Preview($id: ID!) { invoicePreview(subscriptionId: $id, terminate: false) {
  __typename
  ... on InvoicePreview { effectiveAt total { amount currency }
    lines { description amount { amount currency } } }
  ... on Error { code message field } } }
""")
TERMINATE = operation(f"""
mutation Terminate($id: ID!) {{ terminateSubscription(id: $id) {{ {RESULT} }} }}
""")
STATUS_WORDS = {
    "ACTIVE": "active",
    "SUSPENDED": "suspended (an invoice is overdue: usage is refused until it is paid)",
}
INTERVAL_WORDS = {
    "MONTHLY": "monthly",
    "QUARTERLY": "quarterly",
    "SEMIANNUAL": "every six months",
    "YEARLY": "yearly",
    "WEEKLY": "weekly",
}
Changed = Callable[[], Awaitable[None]]


def plan_words(plan: dict[str, Any]) -> str:
    interval = INTERVAL_WORDS.get(plan["interval"], plan["interval"].lower())
    return f"{plan['name']} (billed {interval}, {plan['currency']})"


def subscription_lines(node: dict[str, Any]) -> None:
    period = f"{format.day(node['currentPeriodStart'])} – {format.day(node['currentPeriodEnd'])}"
    status = STATUS_WORDS.get(node["status"], node["status"].lower())
    ui.label(f"{node['plan']['name']}: {status}; this period {period}.").mark("subscription")
    for usage in node["usage"]:
        ui.label(
            f"{format.number(usage['units'])} {usage['metric']['unitPlural']} so far "
            f"= {format.credits(usage['credits'])}"
        ).classes("text-grey-8")


class SubscribeDialog(Dialog):
    button = "Subscribe"
    document = SUBSCRIBE

    def __init__(
        self, api: Api, external_id: str, name: str, plans: list[dict[str, Any]], changed: Changed
    ) -> None:
        self.external_id, self.name, self.plans, self.changed = external_id, name, plans, changed
        super().__init__(api, "subscribe", f"Subscribe {name} to a plan", "confirm-subscribe")

    def ask(self) -> None:
        if not self.plans:
            ui.label("There are no plans yet. Create one first (Plans & metrics).")
            return
        options = {p["code"]: plan_words(p) for p in self.plans}
        self.plan = ui.select(options, label="Plan").classes("w-full").mark("subscribe-plan")
        ui.label("Billing starts now; usage from now on is priced by this plan.").classes(
            "text-caption text-grey-7"
        )

    def open(self) -> None:
        super().open()
        if not self.plans:
            self.next.set_visibility(False)
            self.cancel.set_text("Close")

    def inputs(self) -> Inputs:
        return {"planCode": self.plan} if self.plans else {}

    def checked(self) -> bool:
        if not self.plan.value:
            self.plan.error = "Pick a plan from the list."
        return bool(self.plan.value)

    def variables(self) -> dict[str, Any]:
        return {"input": {"customerExternalId": self.external_id, "planCode": self.plan.value}}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        chosen = payload["subscription"]["plan"]["name"]
        ui.notify(f"{self.name} is now on {chosen}.", type="positive")
        await self.changed()


class TerminateDialog(Dialog):
    button = "Yes, terminate and invoice now"
    document = TERMINATE
    closes_first = True

    def __init__(self, api: Api, node: dict[str, Any], name: str, changed: Changed) -> None:
        self.node, self.name, self.changed = node, name, changed
        self.plan = node["plan"]["name"]
        super().__init__(api, "terminate", f"Terminate {name}'s subscription?", "confirm-terminate")

    def ask(self) -> None:
        for line in (
            f"{self.name} leaves {self.plan} now: usage from now on is no longer priced by it.",
            "A final invoice is issued now for the period cut short (usage not yet "
            "invoiced, and the base fee for the part of the period used).",
            "This cannot be undone (you can subscribe them again).",
        ):
            ui.label(line).classes("text-body1")

    def variables(self) -> dict[str, Any]:
        return {"id": self.node["id"]}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify(
            f"{self.name} is no longer on {self.plan}. The final invoice is in the list below.",
            type="positive",
        )
        await self.changed()


class SwitchDialog(Dialog):
    button = "Review"
    document = SWITCH

    def __init__(
        self, api: Api, node: dict[str, Any], plans: list[dict[str, Any]], changed: Changed
    ) -> None:
        current = node["plan"]
        self.node, self.changed = node, changed
        self.plans = [
            p
            for p in plans
            if p["currency"] == current["currency"] and p["code"] != current["code"]
        ]
        super().__init__(api, "switch", f"Switch from {current['name']}", "confirm-switch")

    def ask(self) -> None:
        if not self.plans:
            ui.label("There is no other plan in this currency.")
            return
        options = {p["code"]: plan_words(p) for p in self.plans}
        self.plan = ui.select(options, label="New plan").classes("w-full").mark("switch-plan")

    def inputs(self) -> Inputs:
        return {"planCode": self.plan} if self.plans else {}

    def checked(self) -> bool:
        if not self.plans:
            return False
        if not self.plan.value:
            self.plan.error = "Pick a plan from the list."
        return bool(self.plan.value)

    def confirmations(self) -> list[Confirmation]:
        lines = [
            "A plan with a base fee per day at least the current one's is an upgrade: it applies "
            "now. The current plan's final invoice is issued now (its base fee for the days "
            "before today, its usage so far); the new plan bills from today.",
            "A cheaper plan is a downgrade: it applies at the end of this period "
            f"({format.day(self.node['currentPeriodEnd'])}); you can cancel it until then.",
        ]
        return [Confirmation(lines, "Switch plan")]

    def variables(self) -> dict[str, Any]:
        return {"input": {"subscriptionId": self.node["id"], "planCode": self.plan.value}}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify(f"Plan switch recorded: now {payload['subscription']['plan']['name']}.")
        await self.changed()


def preview_lines(found: dict[str, Any]) -> None:
    """The period's invoice as it would be issued at its end with the usage so far."""
    with ui.column().classes("gap-0").mark("invoice-preview"):
        total = format.money(found["total"]["amount"], found["total"]["currency"])
        ui.label(
            f"If the period ended with today's usage, its invoice on "
            f"{format.day(found['effectiveAt'])} would be {total}:"
        ).classes("text-body2")
        for line in found["lines"]:
            amount = format.money(line["amount"]["amount"], line["amount"]["currency"])
            ui.label(f"{line['description']} — {amount}").classes("text-caption text-grey-8")


class SubscriptionCard:
    """The customer's live plan; admins subscribe or terminate, then ``changed`` runs."""

    def __init__(self, api: Api, external_id: str, name: str, changed: Changed) -> None:
        self.api, self.external_id, self.name, self.changed = api, external_id, name, changed

    def can(self, mutation: str) -> bool:
        return self.api.is_admin and self.api.console.has_mutation(mutation)

    @ui.refreshable_method
    async def show(self) -> None:
        data = await fetch(self.api, SUBSCRIPTIONS, {"id": self.external_id}, NOTE)
        if data is None:
            return
        nodes = data["subscriptions"]["nodes"]
        if not nodes:
            ui.label("No plan: usage is not priced for this customer yet.").classes(
                "text-grey-8"
            ).mark("no-subscription")
            if self.can("createSubscription"):
                ui.button(
                    "Subscribe to a plan", icon="event_repeat", on_click=self.subscribe
                ).props("outline no-caps").mark("subscribe")
        for node in nodes:
            subscription_lines(node)
            await self.scheduled(node)
            found = await fetch(self.api, PREVIEW, {"id": node["id"]}, NOTE)
            if found is not None and found["invoicePreview"]["__typename"] == "InvoicePreview":
                preview_lines(found["invoicePreview"])
            with ui.row():
                if self.can("switchPlan"):
                    ui.button(
                        "Switch plan", icon="swap_horiz", on_click=lambda n=node: self.switch(n)
                    ).props("outline no-caps").mark("switch")
                if self.can("terminateSubscription"):
                    self.terminate_button(node)

    def terminate_button(self, node: dict[str, Any]) -> None:
        ui.button(
            "Terminate subscription", icon="event_busy", on_click=lambda: self.terminate(node)
        ).props("outline no-caps color=negative").mark("terminate")

    async def subscribe(self) -> None:
        data = await fetch(self.api, PLANS, say=NOTIFY)
        if data is not None:
            plans = data["plans"]["nodes"]
            dialog = SubscribeDialog(self.api, self.external_id, self.name, plans, self.changed)
            dialog.open()

    async def scheduled(self, node: dict[str, Any]) -> None:
        if node["scheduledPlan"] is None:
            return
        when = format.day(node["currentPeriodEnd"])
        ui.label(f"Moves to {node['scheduledPlan']['name']} on {when}.").mark("scheduled-switch")
        if self.can("cancelPlanSwitch"):
            ui.button(
                "Cancel the switch", icon="undo", on_click=lambda: self.cancel_switch(node)
            ).props("flat no-caps").mark("cancel-switch")

    async def cancel_switch(self, node: dict[str, Any]) -> None:
        result = await self.api.attempt(CANCEL_SWITCH, {"id": node["id"]})
        if isinstance(result, dict):
            ui.notify("The scheduled plan switch is cancelled.", type="positive")
            await self.changed()
        else:
            NOTIFY.tell(result)

    async def switch(self, node: dict[str, Any]) -> None:
        data = await fetch(self.api, PLANS, say=NOTIFY)
        if data is not None:
            SwitchDialog(self.api, node, data["plans"]["nodes"], self.changed).open()

    def terminate(self, node: dict[str, Any]) -> None:
        TerminateDialog(self.api, node, self.name, self.changed).open()
