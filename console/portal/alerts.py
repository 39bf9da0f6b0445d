"""The customer's own spend alerts in the portal: in one sentence that says what a percentage
is of ("Email me when my balance falls below 50 %, 25 % or 10 % of 1,000 credits (my balance
right after credits were last added), and when it runs out."), with a level to add or remove."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Api
from console.errors import QUIET, mutate
from console.wallets.alerts import ADD_LEVEL, ALERTS, REMOVE_LEVEL, change_of


def listed(items: list[str], last: str = "or") -> str:
    """ "a", "a or b", "a, b or c"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def alerts_sentence(levels: list[dict[str, Any]], reference: str) -> str:
    """ "Email me when my balance falls below 50 %, 25 % or 10 % of 1,000 credits (my balance
    right after credits were last added), and when it runs out." """
    parts = []
    percents = [t["label"] for t in levels if t["kind"] == "PERCENT"]
    if percents:
        parts.append(
            f"falls below {listed(percents)} of {format.credits(reference)} (my balance "
            "right after credits were last added)"
        )
    absolutes = [t["label"] for t in levels if t["kind"] == "ABSOLUTE"]
    if absolutes:
        parts.append(f"falls below {listed(absolutes)}")
    if any(t["kind"] == "DEPLETED" for t in levels):
        parts.append("runs out")
    if not parts:
        return "No email alerts."
    clauses = [f"when my balance {parts[0]}"] + [f"when it {part}" for part in parts[1:]]
    return f"Email me {listed(clauses, 'and')}."


class PortalAlerts:
    def __init__(self, api: Api, wallet_id: str) -> None:
        self.api, self.wallet_id = api, wallet_id

    async def change(self, document: str, change: dict[str, Any], done: str) -> None:
        """Run a change, show the alerts as they are now, then say ``done``."""
        client = ui.context.client
        if await mutate(self.api, document, {"input": change}) is not None:
            await self.show.refresh()
            with client:
                ui.notify(done, type="positive")

    @ui.refreshable_method
    async def show(self) -> None:
        result = await mutate(self.api, ALERTS, {"w": self.wallet_id}, QUIET)
        if result is None:
            return
        levels = result["thresholds"]
        with ui.card().classes("w-full"):
            ui.label("Alerts").classes("text-subtitle1")
            sentence = alerts_sentence(levels, result["referenceBalance"])
            ui.label(sentence).classes("text-body1").mark("portal-alerts")
            for level in levels:
                if level["kind"] != "DEPLETED":
                    self.level(level)
            self.form()

    def level(self, level: dict[str, Any]) -> None:
        change = change_of(self.wallet_id, level)
        with ui.row().classes("w-full items-center"):
            ui.label(level["label"]).classes("flex-1")
            ui.button(
                "Remove", on_click=lambda: self.change(REMOVE_LEVEL, change, "Alert removed.")
            ).props("flat dense no-caps color=negative").mark(
                f"portal-remove-alert-{level['value']}"
            )

    def form(self) -> None:
        with ui.row().classes("items-start"):
            self.percent = ui.input(
                "Percent of my balance after credits were last added", placeholder="20"
            ).classes("w-80")
            self.percent.mark("portal-alert-percent")
            ui.button("Add alert", on_click=self.add).props("outline no-caps").mark(
                "portal-add-alert"
            )

    async def add(self) -> None:
        self.percent.error = None
        try:
            number = Decimal(forms.text(self.percent).replace("%", "").strip())
        except InvalidOperation:
            self.percent.error = "Type a percentage, like 20."
            return
        change = {"walletId": self.wallet_id, "kind": "PERCENT", "value": str(number)}
        await self.change(ADD_LEVEL, change, "Alert added.")
