"""The customer's auto-recharge in the portal: the rule in one sentence (the amount, its price,
the card, the monthly caps, the cooldown), and — where the operator lets the customer switch it
— Turn on (after a confirmation with that sentence) and Turn off. The server enforces the
permission (``switchAutoRecharge`` answers ``not_allowed`` otherwise)."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from console.api import Api
from console.dialog import Dialog
from console.errors import QUIET, fetch
from console.portal.cards import card_name, cards_of
from console.wallets.auto_recharge import RULE, SWITCH, rule_words

SET_BY_US = "Your account manager sets auto-recharge for you; ask them to change it."


def rule_card(rule: dict[str, Any], cards: list[dict[str, Any]]) -> str:
    chosen = rule["paymentMethodId"]
    for card in cards:
        if card["id"] == chosen or (chosen is None and card["isDefault"]):
            return card_name(card)
    return "your default card (none on file yet)"


class SwitchDialog(Dialog):
    """Turn the rule on or off, after reading what it does."""

    document = SWITCH

    def __init__(self, section: PortalRecharge, words: str, enabled: bool) -> None:
        self.section, self.words, self.enabled = section, words, enabled
        self.button = "Turn on" if enabled else "Turn off"
        title = f"{self.button} auto-recharge?"
        super().__init__(section.api, "portal-recharge", title, "portal-recharge-confirm")

    def ask(self) -> None:
        ui.label(self.words).classes("text-body1")
        if self.enabled:
            ui.label("Your card is charged each time, without asking again.").classes(
                "text-caption text-grey-7"
            )

    def variables(self) -> dict[str, Any]:
        return {"input": {"walletId": self.section.wallet_id, "enabled": self.enabled}}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify(f"Auto-recharge is {'on' if self.enabled else 'off'}.", type="positive")
        await self.section.show.refresh()


class PortalRecharge:
    def __init__(self, api: Api, wallet_id: str, external_id: str) -> None:
        self.api, self.wallet_id, self.external_id = api, wallet_id, external_id

    @ui.refreshable_method
    async def show(self) -> None:
        data = await fetch(self.api, RULE, {"w": self.wallet_id}, QUIET)
        cards = await cards_of(self.api, self.external_id)
        if data is None or cards is None or data["autoRechargeRule"] is None:
            return  # no rule: nothing buys credits by itself
        rule = data["autoRechargeRule"]
        words = rule_words(rule, data["wallet"], rule_card(rule, cards))
        with ui.card().classes("w-full"):
            ui.label("Auto-recharge").classes("text-subtitle1")
            ui.label(words).classes("text-body1").mark("portal-recharge")
            if not data["topUpOptions"]["customerSwitchesAutoRecharge"]:
                ui.label(SET_BY_US).classes("text-grey-8").mark("portal-recharge-set-by-us")
                return
            enabled = not rule["enabled"]
            ui.button(
                "Turn on" if enabled else "Turn off",
                on_click=lambda: SwitchDialog(self, words, enabled).open(),
            ).props("outline no-caps").mark("portal-recharge-switch")
