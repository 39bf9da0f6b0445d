"""The portal's page: the customer's live balance in plain words and recent activity, then the
bundles to buy (each purchase confirmed: pack, price, card), the payment cards, the
auto-recharge rule and the alert levels; a clear message for an expired or invalid link."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

from nicegui import ui

from app.access import tokens
from app.errors import Unauthorized
from console import format
from console.api import Api, Caller, Console, Refused, operation
from console.layout import theme
from console.portal.alerts import PortalAlerts
from console.portal.buying import Bundles
from console.portal.cards import Cards
from console.portal.invoices import PortalInvoices
from console.portal.recharge import PortalRecharge
from console.wallets import live, runway

PORTAL = operation("""
query Portal($id: String!) {
  customer(externalId: $id) {
    name currency
    wallet {
      id currency rate balance balanceValue { amount currency }
      ledgerEntries(first: 30) { nodes { id kind credits description createdAt } }
    }
  }
  consumptionByDay(days: 30, customerExternalId: $id) { credits }
}
""")
EXPIRED = "This link has expired. Ask your account manager for a new one."
INVALID = (
    "This link is not valid: it may have been cut short or changed. Open the link exactly as "
    "you received it, or ask your account manager for a new one."
)


def message_page(text: str) -> None:
    theme()
    with ui.card().classes("absolute-center w-[32rem] q-pa-lg"):
        ui.label("Billing portal").classes("text-h6")
        ui.label(text).classes("text-body1").mark("portal-message")


def activity(entries: list[dict[str, Any]]) -> None:
    with ui.card().classes("w-full"):
        ui.label("Recent activity").classes("text-subtitle1")
        for entry in entries:
            with ui.row().classes("w-full justify-between no-wrap"):
                ui.label(format.day(entry["createdAt"])).classes("w-28 text-grey-8")
                ui.label(entry["description"]).classes("flex-1")
        if not entries:
            ui.label("Nothing yet.").classes("text-grey-8")


class Portal:
    def __init__(self, api: Api, external_id: str) -> None:
        self.api, self.external_id = api, external_id
        self.data: dict[str, Any] = {}

    async def load(self) -> None:
        self.data = await self.api.execute(PORTAL, {"id": self.external_id})

    @ui.refreshable_method
    def balance(self) -> None:
        wallet = self.data["customer"]["wallet"]
        if wallet is None:
            ui.label("You have no credits yet.")
            return
        pace = format.daily_pace([Decimal(d["credits"]) for d in self.data["consumptionByDay"]])
        balance = Decimal(wallet["balance"])
        ui.label(format.credits(balance)).classes("text-h3 text-weight-medium").mark(
            "portal-balance"
        )
        ui.label(
            f"worth {format.money(wallet['balanceValue']['amount'], wallet['currency'])}"
        ).classes("text-grey-8")
        ui.label(format.your_balance_sentence(balance, pace)).classes("text-body1").mark(
            "portal-sentence"
        )
        activity(wallet["ledgerEntries"]["nodes"])

    async def refresh(self) -> None:
        with contextlib.suppress(Refused):
            await self.load()
            self.balance.refresh()

    async def cards_changed(self) -> None:
        """The purchase and auto-recharge sections name the card."""
        self.bundles.card_changed()
        await self.recharge.show.refresh()

    async def show(self, customer: dict[str, Any]) -> None:
        theme()
        with ui.column().classes("w-full max-w-3xl mx-auto q-pa-md gap-4"):
            ui.label(customer["name"]).classes("text-h5").mark("portal-customer")
            self.balance()
            wallet = customer["wallet"]
            if wallet is not None:
                await self.wallet_sections(wallet["id"])
            await PortalInvoices(self.api, self.external_id).show()

    async def wallet_sections(self, wallet_id: str) -> None:
        await runway.show(self.api, wallet_id, "you")
        self.bundles = Bundles(self.api, wallet_id, self.external_id)
        await self.bundles.show()
        self.recharge = PortalRecharge(self.api, wallet_id, self.external_id)
        await Cards(self.api, self.external_id, self.cards_changed).show()
        await self.recharge.show()
        if self.api.console.has_query("alertThresholds"):
            await PortalAlerts(self.api, wallet_id).show()
        live.watch(self.api, wallet_id, self.refresh)


async def opened(console: Console, token: str) -> Portal | None:
    """The portal of the link's customer, loaded; None once a message has said why not."""
    settings, now = console.runtime.settings, console.runtime.clock.now()
    try:
        principal = tokens.verify(settings.signing_secret(), token, now)
    except Unauthorized as error:
        message_page(EXPIRED if error.code == "token_expired" else INVALID)
        return None
    assert principal.customer_external_id is not None
    portal = Portal(Api(console, Caller(principal)), principal.customer_external_id)
    try:
        await portal.load()
    except Refused:
        portal.data = {"customer": None}
    if portal.data["customer"] is None:
        message_page(INVALID)
        return None
    return portal


def register(console: Console) -> None:
    @ui.page("/portal/{token}", title="Billing portal")
    async def portal_page(token: str) -> None:
        portal = await opened(console, token)
        if portal is not None:
            await portal.show(portal.data["customer"])
