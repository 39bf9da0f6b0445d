"""Auto-recharge: buy credits by themselves when the balance drops to a trigger balance (the
API's ``THRESHOLD`` trigger) or on an interval. The rule reads as one sentence with everything
that costs money in it — the amount, its price, the card, the monthly caps and the cooldown
("When the balance drops to 500 credits or below, buy 5,000 credits for 50.00 USD, charged to
Visa •••• 4242. At most 4 times and 200.00 USD a month; at least 10 minutes apart.").
Admins turn it on (after a confirmation with that sentence) or off, and choose whether the
customer may switch it from the portal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Api, operation
from console.errors import NOTIFY, Say, fetch, mutate

RULE_FIELDS = (
    "trigger threshold interval method credits discountPercent cooldownSeconds "
    "monthlyMaxRecharges monthlyMaxAmount { amount currency } paymentMethodId enabled "
    "disabledReason consecutiveFailures"
)
RULE = operation(f"""
query Rule($w: ID!) {{
  autoRechargeRule(walletId: $w) {{ {RULE_FIELDS} }}
  wallet(id: $w) {{ rate currency customer {{ externalId }} }}
  topUpOptions(walletId: $w) {{ customerSwitchesAutoRecharge }}
}}""")
CARDS = operation("""
query RuleCards($id: String!) {
  paymentMethods(customerExternalId: $id) { id label reference isDefault }
}
""")
SET_RULE = operation(f"""
mutation Set($input: SetAutoRechargeInput!) {{ setAutoRecharge(input: $input) {{
  __typename ... on AutoRechargeRulePayload {{ rule {{ {RULE_FIELDS} }} }}
  ... on Error {{ code message field }} }} }}
""")
SWITCH = operation("""
mutation Switch($input: SwitchAutoRechargeInput!) { switchAutoRecharge(input: $input) {
  __typename ... on AutoRechargeRulePayload { rule { enabled } }
  ... on Error { code message field } } }
""")
CUSTOMER_SWITCHES = operation("""
mutation CustomerSwitches($input: SetTopUpOptionsInput!) { setTopUpOptions(input: $input) {
  __typename ... on TopUpOptionsPayload { options { customerSwitchesAutoRecharge } }
  ... on Error { code message field } } }
""")
HUNDRED = Decimal(100)


def duration(seconds: int) -> str:
    """ "10 minutes", "1 hour", "2 days"."""
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"


def what_words(rule: dict[str, Any], wallet: dict[str, Any]) -> str:
    """ "buy 5,000 credits for 50.00 USD" (discount applied) or "top up to 5,000 credits"."""
    rate, currency = Decimal(wallet["rate"]), wallet["currency"]
    off = Decimal(rule["discountPercent"])
    if rule["method"] == "TARGET":
        per = format.money(rate * (HUNDRED - off) / HUNDRED, currency)
        return f"top up to {format.credits(rule['credits'])} (at {per} a credit)"
    cost = Decimal(rule["credits"]) * rate * (HUNDRED - off) / HUNDRED
    discount = f", {format.number(off)} % off" if off else ""
    price = format.money(cost, currency)
    return f"buy {format.credits(rule['credits'])} for {price}{discount}"


def limits_words(rule: dict[str, Any]) -> str:
    caps = []
    if rule["monthlyMaxRecharges"] is not None:
        count = rule["monthlyMaxRecharges"]
        caps.append(f"{count} time{'' if count == 1 else 's'}")
    if rule["monthlyMaxAmount"] is not None:
        cap = rule["monthlyMaxAmount"]
        caps.append(format.money(cap["amount"], cap["currency"]))
    cap_words = f"At most {' and '.join(caps)} a month; at" if caps else "At"
    return f"{cap_words} least {duration(rule['cooldownSeconds'])} apart."


def rule_words(rule: dict[str, Any], wallet: dict[str, Any], card: str) -> str:
    """The rule in one sentence: when, what and for how much, charged to which card, the
    monthly caps and the cooldown; "Off (why). When on: …" for a rule turned off."""
    if rule["trigger"] == "THRESHOLD":
        when = f"When the balance drops to {format.credits(rule['threshold'] or 0)} or below"
    else:
        when = f"Every {'week' if rule['interval'] == 'WEEKLY' else 'month'}"
    sentence = f"{when}, {what_words(rule, wallet)}, charged to {card}. {limits_words(rule)}"
    if not rule["enabled"]:
        reason = rule["disabledReason"] or "turned off"
        sentence = f"Off ({reason}). When on: {sentence[0].lower()}{sentence[1:]}"
    return sentence


def card_words(rule: dict[str, Any], cards: list[dict[str, Any]]) -> str:
    """The card the rule charges: its own, else the customer's default."""
    chosen = rule["paymentMethodId"]
    for card in cards:
        if card["id"] == chosen or (chosen is None and card["isDefault"]):
            return str(card["label"] or f"card {card['reference']}")
    return "the default card (none on file yet)"


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
        cards = data and await fetch(
            self.api, CARDS, {"id": data["wallet"]["customer"]["externalId"]}, NOTIFY
        )
        if data is None or cards is None:
            return
        rule = data["autoRechargeRule"]
        words = "Off: credits are only bought by hand."
        if rule:
            words = rule_words(rule, data["wallet"], card_words(rule, cards["paymentMethods"]))
        ui.label(words).mark("auto-recharge")
        if self.api.is_admin:
            self.controls(rule, data["topUpOptions"]["customerSwitchesAutoRecharge"])

    def controls(self, rule: dict[str, Any] | None, customer_switches: bool) -> None:
        if rule and rule["enabled"]:
            ui.button("Turn off", on_click=lambda: self.switch(False)).props(
                "outline dense no-caps color=negative"
            ).mark("auto-recharge-off")
        elif rule:
            ui.button("Turn on again", on_click=lambda: self.switch(True)).props(
                "outline dense no-caps"
            ).mark("auto-recharge-again")
        if not rule or not rule["enabled"]:
            self.form()
        ui.checkbox(
            "The customer may turn it on and off in the portal",
            value=customer_switches,
            on_change=lambda e: self.let_customer(bool(e.value)),
        ).mark("auto-recharge-customer-switches")

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
            await self.show.refresh()

    async def switch(self, enabled: bool) -> None:
        change = {"walletId": self.wallet_id, "enabled": enabled}
        if await mutate(self.api, SWITCH, {"input": change}) is not None:
            ui.notify(f"Auto-recharge is {'on' if enabled else 'off'}.", type="positive")
            await self.show.refresh()

    async def let_customer(self, allowed: bool) -> None:
        change = {"walletId": self.wallet_id, "customerSwitchesAutoRecharge": allowed}
        if await mutate(self.api, CUSTOMER_SWITCHES, {"input": change}) is not None:
            may = "may" if allowed else "may no longer"
            ui.notify(f"The customer {may} switch auto-recharge.", type="positive")
