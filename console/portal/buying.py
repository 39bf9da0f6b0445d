"""Buying credits in the portal: the bundles on offer; Buy opens a confirmation naming the pack,
the price and the card ("Buy Starter Pack — 5,000 credits for 50.00 USD, charged to Visa ••••
4242?"); Pay charges that card once — the confirmation holds one idempotency key, so a double
click, or a resend, is one charge. How the payment ended is watched for a while and told on the
page: a declined card is a red failure ("No credits were added"), never a success.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from nicegui import ui

from console import format
from console.api import Api, Refused, operation
from console.dialog import Dialog
from console.errors import QUIET, fetch
from console.portal.cards import card_name, cards_of, default_card
from console.wallets.top_up import BUNDLES, bundle_words

BUY = operation("""
mutation Buy($input: TopUpInput!) {
  topUp(input: $input) {
    __typename ... on RechargePayload { recharge { id status credits failureReason } }
    ... on Error { code message field }
  }
}
""")
RECHARGE = operation(
    "query Recharge($id: ID!) { recharge(id: $id) { id status credits failureReason } }"
)
WATCH_SECONDS = 120  # how long the page watches a pending payment
NO_CARD = "Add a card below to buy credits."
Kind = Literal["positive", "negative", "warning", "info"]


def price_of(bundle: dict[str, Any]) -> str:
    return format.money(bundle["price"]["amount"], bundle["price"]["currency"])


def purchase_words(bundle: dict[str, Any], card: dict[str, Any]) -> str:
    """ "Buy Starter Pack — 5,000 credits for 50.00 USD, charged to Visa •••• 4242?" """
    credits = format.credits(Decimal(bundle["credits"]) + Decimal(bundle["bonusCredits"]))
    return f"Buy {bundle['name']} — {credits} for {price_of(bundle)}, charged to {card_name(card)}?"


def outcome(recharge: dict[str, Any] | None, bundle: dict[str, Any]) -> tuple[str, Kind] | None:
    """How a purchase ended, as (words, notification type); None while the payment is
    pending."""
    if recharge is None or recharge["status"] == "PENDING":
        return None
    if recharge["status"] == "FAILED":
        reason = recharge["failureReason"] or "the payment was not accepted"
        return (
            f"The payment for {bundle['name']} failed ({reason}). No credits were added; "
            "try another card or contact us.",
            "negative",
        )
    return f"Payment received: {bundle['name']} was added.", "positive"


class Status:
    """The line under the bundles that says how the latest purchase is going."""

    def __init__(self) -> None:
        self.line = ui.label("").classes("text-body1").mark("portal-purchase-status")

    def tell(self, words: str, kind: Kind) -> None:
        colour = {"positive": "text-positive", "negative": "text-negative"}.get(kind, "")
        self.line.set_text(words)
        self.line.classes(replace=f"text-body1 {colour}")
        ui.notify(words, type=kind, multi_line=True)

    def settled(self, recharge: dict[str, Any] | None, bundle: dict[str, Any]) -> bool:
        """Tell how the purchase ended; False while its payment is pending."""
        ended = outcome(recharge, bundle)
        if ended is not None:
            self.tell(*ended)
        return ended is not None


class Pending:
    """A purchase whose payment is pending: checked every second for ``WATCH_SECONDS``."""

    def __init__(self, api: Api, recharge_id: str, bundle: dict[str, Any], status: Status) -> None:
        self.api, self.recharge_id, self.bundle, self.status = api, recharge_id, bundle, status
        self.left = WATCH_SECONDS
        self.timer = ui.timer(1.0, self.check)

    async def check(self) -> None:
        self.left -= 1
        try:
            found = await self.api.execute(RECHARGE, {"id": self.recharge_id})
        except Refused:
            self.timer.cancel()
            return
        if self.status.settled(found["recharge"], self.bundle) or self.left <= 0:
            self.timer.cancel()


class BuyDialog(Dialog):
    """The one step before a charge: the pack, the price and the card, then Pay."""

    document = BUY
    width = "w-[34rem]"

    def __init__(self, bundles: Bundles, bundle: dict[str, Any], card: dict[str, Any]) -> None:
        self.bundles, self.bundle, self.card = bundles, bundle, card
        self.button = f"Pay {price_of(bundle)}"
        super().__init__(bundles.api, "portal-buy", "Confirm your purchase", "portal-pay")

    def ask(self) -> None:
        ui.label(purchase_words(self.bundle, self.card)).classes("text-body1").mark(
            "portal-buy-sentence"
        )
        ui.label("Your card is charged once, however often you click Pay.").classes(
            "text-caption text-grey-7"
        )

    def variables(self) -> dict[str, Any]:
        purchase = {
            "walletId": self.bundles.wallet_id,
            "bundleCode": self.bundle["code"],
            "paymentMethodId": self.card["id"],  # the card named, even if the default changes
            "idempotencyKey": self.key,
        }
        return {"input": purchase}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        self.bundles.bought(payload["recharge"], self.bundle, self.card)


class Bundles:
    def __init__(self, api: Api, wallet_id: str, external_id: str) -> None:
        self.api, self.wallet_id, self.external_id = api, wallet_id, external_id
        self.status: Status | None = None  # made with the section

    async def show(self) -> None:
        data = await fetch(self.api, BUNDLES, say=QUIET)
        if not data or not data["bundles"]:
            return
        can_buy = self.api.console.has_mutation("topUp")
        self.section = ui.card().classes("w-full")
        with self.section:
            ui.label("Buy credits").classes("text-subtitle1")
            if not can_buy:
                ui.label("Purchases arrive with payments; for now, ask your account manager.")
            for bundle in data["bundles"]:
                with ui.row().classes("w-full items-center"):
                    ui.label(bundle_words(bundle)).classes("flex-1")
                    if can_buy:
                        self.buy_button(bundle)
            self.status = Status()

    def buy_button(self, bundle: dict[str, Any]) -> None:
        ui.button("Buy", on_click=lambda: self.confirm(bundle)).props("unelevated no-caps").mark(
            f"buy-{bundle['code']}"
        )

    async def confirm(self, bundle: dict[str, Any]) -> None:
        """Open the confirmation, naming the card on file now (the default one)."""
        cards = await cards_of(self.api, self.external_id)
        card = default_card(cards or [])
        assert self.status is not None  # the Buy buttons come with the section
        if card is None:
            self.status.tell(NO_CARD, "warning")
            return
        BuyDialog(self, bundle, card).open()

    def card_changed(self) -> None:
        """A card was added: the "add a card" hint, if shown, is out of date."""
        if self.status is not None and self.status.line.text == NO_CARD:
            self.status.line.set_text("")

    def bought(
        self, recharge: dict[str, Any], bundle: dict[str, Any], card: dict[str, Any]
    ) -> None:
        assert self.status is not None
        if self.status.settled(recharge, bundle):
            return
        words = f"Charging {price_of(bundle)} to {card_name(card)} for {bundle['name']}…"
        self.status.tell(words, "info")
        with self.section:  # the dialog is closed: the watch lives with the section
            Pending(self.api, recharge["id"], bundle, self.status)
