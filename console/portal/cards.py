"""The customer's payment cards in the portal: the cards on file (the default one marked), make
another the default, add a card. In the sandbox the customer picks one of the provider's test
cards (one always approved, one always declined, one declined after a delay); with Stripe a
card is added through Stripe's own hosted page, so the portal says where to go instead."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui

from console.api import Api, operation
from console.errors import QUIET, Say, fetch, mutate, on

METHODS = operation("""
query PortalCards($id: String!) {
  paymentMethods(customerExternalId: $id) { id provider reference label isDefault }
}
""")
ADD_CARD = operation("""
mutation AddCard($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) {
  __typename ... on PaymentMethodPayload { paymentMethod { id label isDefault } }
  ... on Error { code message field } } }
""")
MAKE_DEFAULT = operation("""
mutation DefaultCard($input: SetDefaultPaymentMethodInput!) {
  setDefaultPaymentMethod(input: $input) {
    __typename ... on PaymentMethodPayload { paymentMethod { id label isDefault } }
    ... on Error { code message field } } }
""")
# The sandbox provider's test cards, named as the card numbers Stripe uses for the same cases.
TEST_CARDS = {
    "pm_sandbox_ok": "Visa •••• 4242",
    "pm_sandbox_decline": "Visa •••• 0002",
    "pm_sandbox_late_fail": "Visa •••• 0341",
}
TEST_CARD_CHOICES = {
    "pm_sandbox_ok": "Visa •••• 4242 — test card, always approved",
    "pm_sandbox_decline": "Visa •••• 0002 — test card, always declined",
    "pm_sandbox_late_fail": "Visa •••• 0341 — test card, declined after a moment",
}
STRIPE_POINTER = (
    "Cards are added on Stripe's secure page, never typed here: ask your account manager for "
    "the link to add a card."
)
Changed = Callable[[], Awaitable[None]]


def card_name(method: dict[str, Any]) -> str:
    """ "Visa •••• 4242": the card's label, else the test card's name, else its reference."""
    if method["label"]:
        return str(method["label"])
    return TEST_CARDS.get(method["reference"], f"card {method['reference']}")


async def cards_of(api: Api, external_id: str) -> list[dict[str, Any]] | None:
    data = await fetch(api, METHODS, {"id": external_id}, QUIET)
    return None if data is None else list(data["paymentMethods"])


def default_card(cards: list[dict[str, Any]]) -> dict[str, Any] | None:
    return next((card for card in cards if card["isDefault"]), None)


class Cards:
    """The portal's "Payment cards" section; ``changed`` runs after a card is added or made
    the default (the purchase and auto-recharge sections name the card)."""

    def __init__(self, api: Api, external_id: str, changed: Changed) -> None:
        self.api, self.external_id, self.changed = api, external_id, changed
        self.sandbox = api.console.runtime.settings.payment_provider == "sandbox"

    @ui.refreshable_method
    async def show(self) -> None:
        cards = await cards_of(self.api, self.external_id)
        if cards is None:
            return
        with ui.card().classes("w-full"):
            ui.label("Payment cards").classes("text-subtitle1")
            for card in cards:
                self.card(card)
            if not cards:
                ui.label("No card on file yet.").classes("text-grey-8").mark("portal-no-card")
            self.form()

    def card(self, card: dict[str, Any]) -> None:
        with ui.row().classes("w-full items-center"):
            ui.label(card_name(card)).classes("flex-1").mark(f"portal-card-{card['id']}")
            if card["isDefault"]:
                ui.badge("Default", color="primary").props("outline")
            else:
                ui.button("Make default", on_click=lambda: self.make_default(card)).props(
                    "flat dense no-caps"
                ).mark(f"portal-default-{card['id']}")

    def form(self) -> None:
        if not self.sandbox:
            ui.label(STRIPE_POINTER).classes("text-grey-8").mark("portal-card-pointer")
            return
        with ui.row().classes("w-full items-start"):
            self.choice = ui.select(TEST_CARD_CHOICES, value="pm_sandbox_ok", label="Add a card")
            self.choice.classes("flex-1").mark("portal-card-choice")
            ui.button("Add card", on_click=self.add).props("outline no-caps").mark(
                "portal-add-card"
            )
        self.message = ui.label("").mark("portal-card-error")

    async def add(self) -> None:
        reference = str(self.choice.value)
        card = {
            "customerExternalId": self.external_id,
            "reference": reference,
            "label": TEST_CARDS[reference],
        }
        say = Say(on(self.message), {"reference": self.choice})
        if await mutate(self.api, ADD_CARD, {"input": card}, say) is not None:
            await self.done(f"{TEST_CARDS[reference]} was added.")

    async def make_default(self, card: dict[str, Any]) -> None:
        change = {"customerExternalId": self.external_id, "paymentMethodId": card["id"]}
        if await mutate(self.api, MAKE_DEFAULT, {"input": change}) is not None:
            await self.done(f"{card_name(card)} is now your default card.")

    async def done(self, words: str) -> None:
        client = ui.context.client
        await self.show.refresh()
        await self.changed()
        with client:
            ui.notify(words, type="positive")
