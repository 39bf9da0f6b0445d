"""Bundles (credit packs customers buy: credits, bonus credits, a price) and the signup bonus
(free credits every new customer's first wallet receives)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import ERROR_FIELDS, Api, operation
from console.catalog.checks import Checks, plain
from console.catalog.review import changed_only, changes
from console.dialog import Confirmation, Dialog
from console.errors import Inputs

BUNDLE = "id code name credits bonusCredits price { amount currency } active"
CREATE = operation(f"""
mutation CreateBundle($input: CreateBundleInput!) {{
  createBundle(input: $input) {{ ... on BundlePayload {{ bundle {{ {BUNDLE} }} }} {ERROR_FIELDS} }}
}}
""")
UPDATE = operation(f"""
mutation UpdateBundle($input: UpdateBundleInput!) {{
  updateBundle(input: $input) {{ ... on BundlePayload {{ bundle {{ {BUNDLE} }} }} {ERROR_FIELDS} }}
}}
""")
SIGNUP_BONUS = operation(f"""
mutation SetSignupBonus($credits: Credits!, $days: Int) {{
  setSignupBonus(credits: $credits, expiresInDays: $days) {{
    ... on SignupBonusPayload {{ signupBonus {{ credits expiresInDays }} }} {ERROR_FIELDS}
  }}
}}
""")
LABELS = {
    "name": "Name",
    "credits": "Credits",
    "bonusCredits": "Bonus credits",
    "price": "Price",
    "active": "On sale",
}
Changed = Callable[[], Awaitable[None]]


def bundle_words(bundle: dict[str, Any]) -> dict[str, str]:
    """A bundle's fields as the review shows them."""
    return {
        "name": bundle["name"],
        "credits": format.credits(bundle["credits"]),
        "bonusCredits": format.credits(bundle["bonusCredits"]),
        "price": format.money(bundle["price"]["amount"], bundle["price"]["currency"]),
        "active": "yes" if bundle["active"] else "no",
    }


class BundleDialog(Dialog):
    """Create a bundle (``bundle`` None) or edit one (its code and currency stay)."""

    def __init__(self, api: Api, bundle: dict[str, Any] | None, changed: Changed) -> None:
        self.bundle, self.changed = bundle, changed
        title = f"Edit the bundle {bundle['name']}" if bundle else "New bundle"
        super().__init__(api, "bundle", title, "bundle-next")

    def ask(self) -> None:
        b = self.bundle or {"price": {}}
        self.name = ui.input("Name", value=b.get("name", "")).classes("w-full")
        self.code = ui.input("Code", value=b.get("code", "")).classes("w-full")
        self.credits = ui.input("Credits", value=plain(b.get("credits"))).classes("w-full")
        self.bonus = ui.input("Bonus credits (free, on top)", value=plain(b.get("bonusCredits")))
        self.bonus.classes("w-full")
        with ui.row().classes("w-full no-wrap gap-2"):
            self.price = ui.input("Price", value=plain(b["price"].get("amount"))).classes("w-48")
            self.currency = ui.input("Currency", value=b["price"].get("currency", "USD"))
            self.currency.classes("w-28")
        self.active = ui.checkbox("On sale (customers can buy it)", value=b.get("active", True))
        if self.bundle is not None:
            self.code.disable()
            self.currency.disable()

    def inputs(self) -> Inputs:
        return {
            "name": self.name,
            "code": self.code,
            "credits": self.credits,
            "bonusCredits": self.bonus,
            "price": self.price,
            "currency": self.currency,
        }

    def checked(self) -> bool:
        checks = Checks()
        checks.text(self.name, "Enter the bundle's name, e.g. Starter Pack.")
        checks.text(self.code, "Enter a code for the bundle, e.g. starter.")
        checks.number(self.credits, "how many credits the bundle gives", above_zero=True)
        checks.number(self.bonus, "the bonus credits", required=False)
        checks.number(self.price, "the price", above_zero=True)
        if len(forms.text(self.currency)) != 3:
            checks.fail(self.currency, "Enter a three-letter currency code, e.g. USD.")
        return checks.ok

    def typed(self) -> dict[str, Any]:
        return {
            "name": forms.text(self.name),
            "credits": forms.text(self.credits).replace(",", ""),
            "bonusCredits": forms.text(self.bonus).replace(",", "") or "0",
            "price": {
                "amount": forms.text(self.price).replace(",", ""),
                "currency": forms.text(self.currency).upper(),
            },
            "active": bool(self.active.value),
        }

    def confirmations(self) -> list[Confirmation]:
        after = bundle_words(self.typed())
        if self.bundle is not None:
            lines = changes(LABELS, bundle_words(self.bundle), after)
            title = f"Save these changes to the bundle {self.bundle['name']}?"
            return [Confirmation([title, *lines], "Yes, save the bundle")]
        sale = "on sale now" if self.active.value else "not on sale yet"
        line = (
            f"Create the bundle {after['name']}: {after['credits']} plus "
            f"{after['bonusCredits']} free, for {after['price']} ({sale})."
        )
        return [Confirmation([line], "Yes, create the bundle")]

    @property
    def document(self) -> str:
        return UPDATE if self.bundle else CREATE

    def variables(self) -> dict[str, Any]:
        typed = self.typed()
        fields = {**typed, "price": typed["price"]["amount"]}
        if self.bundle is not None:
            fields = changed_only(fields, bundle_words(self.bundle), bundle_words(typed))
            return {"input": {"code": self.bundle["code"], **fields}}
        extra = {"code": forms.text(self.code), "currency": typed["price"]["currency"]}
        return {"input": {**fields, **extra}}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        verb = "saved" if self.bundle else "created"
        ui.notify(f"The bundle {payload['bundle']['name']} is {verb}.", type="positive")
        await self.changed()


class SignupBonusDialog(Dialog):
    def __init__(self, api: Api, bonus: dict[str, Any], changed: Changed) -> None:
        self.bonus, self.changed = bonus, changed
        super().__init__(api, "signup-bonus", "Signup bonus", "signup-bonus-next")

    def ask(self) -> None:
        ui.label("Free credits every new customer's first wallet receives (0 turns it off).")
        self.credits = ui.input("Credits", value=plain(self.bonus["credits"])).classes("w-full")
        days = self.bonus["expiresInDays"]
        self.days = ui.input("Expire after (days)", value="" if days is None else str(days))
        self.days.classes("w-full").props("hint='leave empty: they never expire'")

    def inputs(self) -> Inputs:
        return {"credits": self.credits, "expiresInDays": self.days}

    def checked(self) -> bool:
        checks = Checks()
        checks.number(self.credits, "the credits (0 turns the bonus off)")
        days = checks.number(self.days, "the days", required=False, above_zero=True)
        if days is not None and days != days.to_integral_value():
            checks.fail(self.days, "Enter a whole number of days.")
        return checks.ok

    def words(self, credits: Any, days: Any) -> str:
        if not credits or Decimal(str(credits)) == 0:
            return "no signup bonus"
        return format.credits(credits) + (f", expiring after {days} days" if days else "")

    def confirmations(self) -> list[Confirmation]:
        before = self.words(self.bonus["credits"], self.bonus["expiresInDays"])
        after = self.words(forms.text(self.credits), forms.text(self.days))
        lines = [
            f"Signup bonus: {before} → {after}.",
            "Customers created from now on receive it; existing ones are not changed.",
        ]
        return [Confirmation(lines, "Yes, set the signup bonus")]

    document = SIGNUP_BONUS

    def variables(self) -> dict[str, Any]:
        days = forms.text(self.days)
        return {
            "credits": forms.text(self.credits).replace(",", ""),
            "days": int(days) if days else None,
        }

    async def succeeded(self, payload: dict[str, Any]) -> None:
        ui.notify("The signup bonus is set.", type="positive")
        await self.changed()
