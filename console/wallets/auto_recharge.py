"""Auto-recharge: buy credits by themselves when the balance drops to a trigger balance (the
API's ``THRESHOLD`` trigger) or on an interval. Admins turn it on with a trigger balance and an
amount, or off."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Api, operation
from console.errors import NOTIFY, Say, fetch, mutate

RULE_FIELDS = (
    "trigger threshold interval method credits discountPercent enabled disabledReason "
    "consecutiveFailures"
)
RULE = operation(f"query Rule($w: ID!) {{ autoRechargeRule(walletId: $w) {{ {RULE_FIELDS} }} }}")
SET_RULE = operation(f"""
mutation Set($input: SetAutoRechargeInput!) {{ setAutoRecharge(input: $input) {{
  __typename ... on AutoRechargeRulePayload {{ rule {{ {RULE_FIELDS} }} }}
  ... on Error {{ code message field }} }} }}
""")
DISABLE_RULE = operation("""
mutation Disable($w: ID!) { disableAutoRecharge(walletId: $w) {
  __typename ... on Error { code message field } } }
""")


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


def credits_in(element: ui.input) -> Decimal | None:
    """The credits typed in ``element``, or None with the reason under it."""
    try:
        return format.parse_credits(forms.text(element))
    except ValueError as error:
        element.error = str(error)
        return None


class AutoRecharge:
    """The customer page's auto-recharge rule."""

    def __init__(self, api: Api, wallet_id: str) -> None:
        self.api, self.wallet_id = api, wallet_id

    @ui.refreshable_method
    async def show(self) -> None:
        data = await fetch(self.api, RULE, {"w": self.wallet_id}, NOTIFY)
        if data is None:
            return
        rule = data["autoRechargeRule"]
        ui.label(rule_words(rule) if rule else "Off: credits are only bought by hand.").mark(
            "auto-recharge"
        )
        if not self.api.is_admin:
            return
        if rule and rule["enabled"]:
            ui.button("Turn off", on_click=self.disable).props(
                "outline dense no-caps color=negative"
            )
        else:
            self.form()

    def form(self) -> None:
        with ui.row().classes("items-start"):
            self.below = ui.input("When the balance is at or below", placeholder="500")
            self.below.classes("w-64")
            self.amount = ui.input("Buy this many credits", placeholder="5000").classes("w-56")
            ui.button("Turn on", on_click=self.save).props("outline no-caps").mark(
                "auto-recharge-on"
            )

    async def save(self) -> None:
        say = Say(inputs={"threshold": self.below, "credits": self.amount})
        say.clear()
        trigger, credits = credits_in(self.below), credits_in(self.amount)
        if trigger is None or credits is None:
            return
        rule = {
            "walletId": self.wallet_id,
            "trigger": "THRESHOLD",
            "method": "FIXED",
            "threshold": str(trigger),
            "credits": str(credits),
        }
        if await mutate(self.api, SET_RULE, {"input": rule}, say) is not None:
            ui.notify("Auto-recharge is on.", type="positive")
            self.show.refresh()

    async def disable(self) -> None:
        if await mutate(self.api, DISABLE_RULE, {"w": self.wallet_id}) is not None:
            ui.notify("Auto-recharge is off.", type="positive")
            self.show.refresh()
