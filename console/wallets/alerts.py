"""Spend-alert levels: the balance levels (a percent of the reference balance, a number of
credits, or empty) whose crossing emails the billing address. Admins add and remove levels or go
back to the standard ones. The customer portal uses the same operations."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Api, operation
from console.errors import NOTE, mutate

LEVELS = """
__typename
... on WalletAlertThresholds {
  usesDefaults referenceBalance thresholds { kind value label level armed isDefault }
}
... on Error { code message field }
"""
ALERTS = operation(f"query Alerts($w: ID!) {{ alertThresholds(walletId: $w) {{ {LEVELS} }} }}")
ADD_LEVEL = operation(f"""
mutation Add($input: AlertThresholdChangeInput!) {{ addAlertThreshold(input: $input) {{
  {LEVELS} }} }}
""")
REMOVE_LEVEL = operation(f"""
mutation Remove($input: AlertThresholdChangeInput!) {{ removeAlertThreshold(input: $input) {{
  {LEVELS} }} }}
""")
RESET_LEVELS = operation(
    f"mutation Reset($w: ID!) {{ resetAlertThresholds(walletId: $w) {{ {LEVELS} }} }}"
)
KIND_WORDS = {"PERCENT": "% of credits remaining", "ABSOLUTE": "credits left"}


def level_words(level: dict[str, Any]) -> str:
    at = level["level"]
    where = f" (at {format.credits(at)})" if at is not None else ""
    state = "will alert" if level["armed"] else "fired; re-arms when the balance rises again"
    return f"{level['label']}{where} — {state}"


def change_of(wallet_id: str, level: dict[str, Any]) -> dict[str, Any]:
    """The input naming one level, to remove it."""
    return {"walletId": wallet_id, "kind": level["kind"], "value": level["value"]}


class AlertLevels:
    """The customer page's spend alerts."""

    def __init__(self, api: Api, wallet_id: str) -> None:
        self.api, self.wallet_id = api, wallet_id

    async def change(self, document: str, variables: dict[str, Any], done: str) -> None:
        """Run a change, show the levels as they are now, then say ``done``. (The button
        clicked is gone with the old levels: the page's client says it.)"""
        client = ui.context.client
        if await mutate(self.api, document, variables) is not None:
            await self.show.refresh()
            with client:
                ui.notify(done, type="positive")

    @ui.refreshable_method
    async def show(self) -> None:
        levels = await mutate(self.api, ALERTS, {"w": self.wallet_id}, NOTE)
        if levels is None:
            return
        if levels["usesDefaults"]:
            ui.label("The standard alerts: at 50 %, 25 % and 10 % left, and when empty.")
        for level in levels["thresholds"]:
            with ui.row().classes("items-center w-full"):
                ui.label(level_words(level)).classes("flex-1").mark("alert")
                if self.api.is_admin:
                    self.remove_button(level)
        if self.api.is_admin:
            self.form()

    def remove_button(self, level: dict[str, Any]) -> None:
        variables = {"input": change_of(self.wallet_id, level)}
        ui.button(
            "Remove", on_click=lambda: self.change(REMOVE_LEVEL, variables, "Alert removed.")
        ).props("flat dense no-caps color=negative")

    def form(self) -> None:
        with ui.row().classes("items-start"):
            self.kind = ui.select(KIND_WORDS, value="PERCENT", label="Alert when").classes("w-56")
            self.value = ui.input("At", placeholder="20").classes("w-28").mark("alert-value")
            ui.button("Add alert", on_click=self.add).props("outline no-caps").mark("add-alert")
            ui.button("Back to standard alerts", on_click=self.reset).props("flat no-caps")

    async def add(self) -> None:
        self.value.error = None
        try:
            number = Decimal(forms.text(self.value).replace(",", ""))
        except InvalidOperation:
            self.value.error = "Type a number, like 20."
            return
        level = {"walletId": self.wallet_id, "kind": self.kind.value, "value": str(number)}
        await self.change(ADD_LEVEL, {"input": level}, "Alert added.")

    async def reset(self) -> None:
        await self.change(RESET_LEVELS, {"w": self.wallet_id}, "Standard alerts restored.")
