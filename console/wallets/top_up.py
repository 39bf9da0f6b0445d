"""Top-up: sell credits to a wallet — a number of credits or a bundle, charged to a payment
method on file. It issues an invoice at once; the credits arrive when it is paid."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Api, operation
from console.dialog import Confirmation, Dialog
from console.errors import NOTIFY, Inputs, fetch
from console.wallets.credits import Done, Target

BUNDLES = operation(
    "query { bundles { code name credits bonusCredits price { amount currency } } }"
)
METHODS = operation("""
query Methods($id: String!) { paymentMethods(customerExternalId: $id) { id label isDefault } }
""")
TOP_UP = operation("""
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
""")
BY_CREDITS = "credits"
DEFAULT_METHOD = "default"


def bundle_words(bundle: dict[str, Any]) -> str:
    """ "Starter Pack: 5,000 credits for 50.00 USD" (bonus credits included)."""
    credits = Decimal(bundle["credits"]) + Decimal(bundle["bonusCredits"])
    price = format.money(bundle["price"]["amount"], bundle["price"]["currency"])
    return f"{bundle['name']}: {format.credits(credits)} for {price}"


def top_up_words(recharge: dict[str, Any], customer: str) -> str:
    """What happens next, from the top-up's payload."""
    amount = format.credits(Decimal(recharge["credits"]) + Decimal(recharge["bonusCredits"]))
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


def method_choices(methods: list[dict[str, Any]]) -> dict[str, str]:
    choices = {DEFAULT_METHOD: "The customer's default payment method"}
    for method in methods:
        default = " (default)" if method["isDefault"] else ""
        choices[method["id"]] = f"{method['label']}{default}"
    if len(choices) == 1:
        choices[DEFAULT_METHOD] = "The customer's default (none on file yet)"
    return choices


class TopUpDialog(Dialog):
    """Sell credits: an amount or a bundle, a payment method → confirmation → ``topUp``."""

    document = TOP_UP
    intro = (
        "Creates an invoice and charges it to a payment method on file; the credits arrive "
        "when it is paid."
    )

    def __init__(self, api: Api, target: Target, external_id: str, done: Done) -> None:
        self.target, self.external_id, self.done = target, external_id, done
        self.amount = Decimal(0)
        self.bundles: dict[str, dict[str, Any]] = {}
        super().__init__(api, "topup", f"Sell credits to {target.customer_name}")

    def ask(self) -> None:
        self.what = ui.select({BY_CREDITS: "A number of credits"}, value=BY_CREDITS)
        self.what.props("label='What to sell'").classes("w-full").mark("topup-what")
        self.what.on_value_change(lambda _: self.show_amount())
        self.amount_input = ui.input("Credits", placeholder="5000").classes("w-full")
        self.amount_input.mark("topup-amount")
        self.price = ui.label("").classes("text-caption text-grey-7")
        self.method = ui.select({DEFAULT_METHOD: "The customer's default"})
        self.method.props("label='Charge to'").classes("w-full").mark("topup-method")

    def inputs(self) -> Inputs:
        return {
            "credits": self.amount_input,
            "bundleCode": self.what,
            "paymentMethodId": self.method,
        }

    async def start(self) -> None:
        """Read the bundles and payment methods on offer now, then open."""
        bundles = await fetch(self.api, BUNDLES, say=NOTIFY)
        methods = bundles and await fetch(self.api, METHODS, {"id": self.external_id}, NOTIFY)
        if bundles is None or methods is None:
            return
        currency = self.target.currency
        self.bundles = {
            b["code"]: b for b in bundles["bundles"] if b["price"]["currency"] == currency
        }
        options = {BY_CREDITS: "A number of credits"}
        options |= {code: bundle_words(bundle) for code, bundle in self.bundles.items()}
        self.what.set_options(options, value=BY_CREDITS)
        self.method.set_options(method_choices(methods["paymentMethods"]), value=DEFAULT_METHOD)
        self.open()

    def reset(self) -> None:
        self.amount_input.value = ""

    def by_credits(self) -> bool:
        return bool(self.what.value == BY_CREDITS)

    def show_amount(self) -> None:
        self.amount_input.set_visibility(self.by_credits())
        rate = f"{self.target.rate.normalize():f} {self.target.currency}"
        self.price.set_text(f"1 credit = {rate}." if self.by_credits() else "")

    def edit(self) -> None:
        super().edit()
        self.show_amount()

    def checked(self) -> bool:
        if not self.by_credits():
            return True
        try:
            self.amount = format.parse_credits(forms.text(self.amount_input))
        except ValueError as error:
            self.amount_input.error = str(error)
            return False
        return True

    def confirmations(self) -> list[Confirmation]:
        name = self.target.customer_name
        if self.by_credits():
            what = format.credits(self.amount)
            first = f"Sell {what} to {name} for about {self.target.worth(self.amount)}."
        else:
            bundle = self.bundles[self.what.value]
            price = format.money(bundle["price"]["amount"], bundle["price"]["currency"])
            what, first = bundle["name"], f"Sell {bundle['name']} to {name} for {price}."
        lines = [
            first,
            f"Charged to: {self.method_words()}.",
            "An invoice is issued now; the credits arrive when it is paid.",
        ]
        return [Confirmation(lines, f"Yes, sell {what}")]

    def method_words(self) -> str:
        options: Any = self.method.options
        method = str(options[self.method.value])
        return method[0].lower() + method[1:] if self.method.value == DEFAULT_METHOD else method

    def variables(self) -> dict[str, Any]:
        data: dict[str, Any] = {"walletId": self.target.wallet_id, "idempotencyKey": self.key}
        if self.by_credits():
            data["credits"] = str(self.amount)
        else:
            data["bundleCode"] = self.what.value
        if self.method.value != DEFAULT_METHOD:
            data["paymentMethodId"] = self.method.value
        return {"input": data}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        recharge = payload["recharge"]
        words = top_up_words(recharge, self.target.customer_name)
        # A failed purchase is never green; a pending one is news, not yet a success.
        if recharge["status"] == "FAILED":
            ui.notify(words, type="negative", multi_line=True)
        elif recharge["status"] == "SUCCEEDED":
            ui.notify(words, type="positive", multi_line=True)
        else:
            ui.notify(words, type="info", multi_line=True)
        await self.done()
