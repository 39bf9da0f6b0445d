"""Sections of the customer page for what other domains offer: spend alerts, auto-recharge
and the customer's invoices. Each appears only when the schema has its operations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Caller, Console, Refused, problem
from console.billing_actions import CustomerInvoices, SubscriptionCard

ALERT_RESULT = """
__typename
... on WalletAlertThresholds {
  usesDefaults referenceBalance thresholds { kind value label level armed isDefault }
}
... on Error { code message field }
"""
ALERTS = f"query Alerts($w: ID!) {{ alertThresholds(walletId: $w) {{ {ALERT_RESULT} }} }}"
ADD_ALERT = f"""
mutation Add($input: AlertThresholdChangeInput!) {{ addAlertThreshold(input: $input) {{
  {ALERT_RESULT} }} }}
"""
REMOVE_ALERT = f"""
mutation Remove($input: AlertThresholdChangeInput!) {{ removeAlertThreshold(input: $input) {{
  {ALERT_RESULT} }} }}
"""
RESET_ALERTS = (
    f"mutation Reset($w: ID!) {{ resetAlertThresholds(walletId: $w) {{ {ALERT_RESULT} }} }}"
)
RULE_FIELDS = (
    "trigger threshold interval method credits discountPercent enabled disabledReason "
    "consecutiveFailures"
)
RULE = f"query Rule($w: ID!) {{ autoRechargeRule(walletId: $w) {{ {RULE_FIELDS} }} }}"
SET_RULE = f"""
mutation Set($input: SetAutoRechargeInput!) {{ setAutoRecharge(input: $input) {{
  __typename ... on AutoRechargeRulePayload {{ rule {{ {RULE_FIELDS} }} }}
  ... on Error {{ code message field }} }} }}
"""
DISABLE_RULE = """
mutation Disable($w: ID!) { disableAutoRecharge(walletId: $w) {
  __typename ... on Error { code message field } } }
"""
KIND_WORDS = {"PERCENT": "% of credits remaining", "ABSOLUTE": "credits left"}


def alert_words(threshold: dict[str, Any]) -> str:
    level = threshold["level"]
    where = f" (at {format.credits(level)})" if level is not None else ""
    state = "will alert" if threshold["armed"] else "fired; re-arms when the balance rises again"
    return f"{threshold['label']}{where} — {state}"


def rule_words(rule: dict[str, Any]) -> str:
    if rule["method"] == "TARGET":
        what = f"top up to {format.credits(rule['credits'])}"
    else:
        what = f"buy {format.credits(rule['credits'])}"
    if rule["trigger"] == "THRESHOLD":
        when = f"When the balance drops to {format.credits(rule['threshold'] or 0)} or below"
    else:
        when = f"Every {'week' if rule['interval'] == 'WEEKLY' else 'month'}"
    discount = Decimal(rule["discountPercent"])
    off = f" ({format.number(discount)} % off)" if discount else ""
    sentence = f"{when}, {what}{off}."
    if not rule["enabled"]:
        reason = rule["disabledReason"] or "turned off"
        sentence = f"Off ({reason}). When on: {sentence[0].lower()}{sentence[1:]}"
    return sentence


class WalletSettings:
    def __init__(self, console: Console, caller: Caller, wallet_id: str) -> None:
        self.console, self.caller, self.wallet_id = console, caller, wallet_id

    async def run(self, query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return await self.console.execute(self.caller, query, variables)
        except Refused as error:
            ui.notify(error.message, type="negative")
            return None

    async def change(self, query: str, variables: dict[str, Any], done: str) -> bool:
        data = await self.run(query, variables)
        if data is None:
            return False
        failed = problem(next(iter(data.values())))
        if failed is not None:
            ui.notify(forms.sentence(failed.message), type="negative")
            return False
        ui.notify(done, type="positive")
        return True

    @ui.refreshable_method
    async def alerts(self) -> None:
        data = await self.run(ALERTS, {"w": self.wallet_id})
        if data is None:
            return
        result = data["alertThresholds"]
        if problem(result) is not None:
            ui.label(forms.sentence(result["message"])).classes("text-grey-8")
            return
        if result["usesDefaults"]:
            ui.label("The standard alerts: at 50 %, 25 % and 10 % left, and when empty.")
        for threshold in result["thresholds"]:
            with ui.row().classes("items-center w-full"):
                ui.label(alert_words(threshold)).classes("flex-1").mark("alert")
                if self.caller.is_admin:
                    change = {
                        "walletId": self.wallet_id,
                        "kind": threshold["kind"],
                        "value": threshold["value"],
                    }
                    ui.button("Remove", on_click=lambda c=change: self.remove_alert(c)).props(
                        "flat dense no-caps color=negative"
                    )
        if self.caller.is_admin:
            self.alert_form()

    def alert_form(self) -> None:
        with ui.row().classes("items-start"):
            kind = ui.select(KIND_WORDS, value="PERCENT", label="Alert when").classes("w-56")
            value = ui.input("At", placeholder="20").classes("w-28").mark("alert-value")

            async def add() -> None:
                value.error = None
                try:
                    number = Decimal(forms.text(value).replace(",", ""))
                except InvalidOperation:
                    value.error = "Type a number, like 20."
                    return
                variables = {
                    "input": {"walletId": self.wallet_id, "kind": kind.value, "value": str(number)}
                }
                if await self.change(ADD_ALERT, variables, "Alert added."):
                    self.alerts.refresh()

            ui.button("Add alert", on_click=add).props("outline no-caps").mark("add-alert")
            ui.button("Back to standard alerts", on_click=self.reset_alerts).props("flat no-caps")

    async def remove_alert(self, change: dict[str, Any]) -> None:
        if await self.change(REMOVE_ALERT, {"input": change}, "Alert removed."):
            self.alerts.refresh()

    async def reset_alerts(self) -> None:
        if await self.change(RESET_ALERTS, {"w": self.wallet_id}, "Standard alerts restored."):
            self.alerts.refresh()

    @ui.refreshable_method
    async def auto_recharge(self) -> None:
        data = await self.run(RULE, {"w": self.wallet_id})
        if data is None:
            return
        rule = data["autoRechargeRule"]
        ui.label(rule_words(rule) if rule else "Off: credits are only bought by hand.").mark(
            "auto-recharge"
        )
        if not self.caller.is_admin:
            return
        if rule and rule["enabled"]:
            ui.button("Turn off", on_click=self.disable_rule).props(
                "outline dense no-caps color=negative"
            )
            return
        with ui.row().classes("items-start"):
            below = ui.input("When the balance is at or below", placeholder="500").classes("w-64")
            amount = ui.input("Buy this many credits", placeholder="5000").classes("w-56")

            async def save() -> None:
                fields = {"threshold": below, "credits": amount}
                forms.clear(fields)
                try:
                    threshold = format.parse_credits(forms.text(below))
                except ValueError as error:
                    below.error = str(error)
                try:
                    credits = format.parse_credits(forms.text(amount))
                except ValueError as error:
                    amount.error = str(error)
                if below.error or amount.error:
                    return
                variables = {
                    "input": {
                        "walletId": self.wallet_id,
                        "trigger": "THRESHOLD",
                        "method": "FIXED",
                        "threshold": str(threshold),
                        "credits": str(credits),
                    }
                }
                data = await self.run(SET_RULE, variables)
                if data is None:
                    return
                failed = problem(data["setAutoRecharge"])
                if failed is not None:
                    if not forms.show(failed, fields):
                        ui.notify(forms.sentence(failed.message), type="negative")
                    return
                ui.notify("Auto-recharge is on.", type="positive")
                self.auto_recharge.refresh()

            ui.button("Turn on", on_click=save).props("outline no-caps").mark("auto-recharge-on")

    async def disable_rule(self) -> None:
        if await self.change(DISABLE_RULE, {"w": self.wallet_id}, "Auto-recharge is off."):
            self.auto_recharge.refresh()


class Sections:
    """The customer page's sections below the history; the plan card and the invoices
    refresh after a subscription or a top-up changes them."""

    def __init__(
        self, console: Console, caller: Caller, wallet_id: str, external_id: str, name: str
    ) -> None:
        self.console, self.caller = console, caller
        self.wallet_id, self.external_id = wallet_id, external_id
        self.settings = WalletSettings(console, caller, wallet_id)
        self.invoices = CustomerInvoices(console, caller, external_id)
        self.plan = SubscriptionCard(console, caller, external_id, name, self.plan_changed)

    async def plan_changed(self) -> None:
        self.plan.show.refresh()
        self.invoices.show.refresh()

    async def render(self) -> None:
        console = self.console
        if console.has_query("subscriptions"):
            with ui.card().classes("w-full"):
                ui.label("Plan").classes("text-subtitle1")
                await self.plan.show()
        if console.has_query("alertThresholds"):
            with ui.card().classes("w-full"):
                ui.label("Spend alerts (emailed to the billing address)").classes("text-subtitle1")
                await self.settings.alerts()
        if console.has_query("autoRechargeRule"):
            with ui.card().classes("w-full"):
                ui.label("Auto-recharge").classes("text-subtitle1")
                await self.settings.auto_recharge()
        if console.has_query("invoices"):
            with ui.card().classes("w-full"):
                ui.label("Invoices").classes("text-subtitle1")
                await self.invoices.show()


async def sections(
    console: Console, caller: Caller, wallet_id: str, external_id: str, name: str = ""
) -> Sections:
    found = Sections(console, caller, wallet_id, external_id, name or external_id)
    await found.render()
    return found
