"""A customer's page: who they are, their wallet (``console.wallets``: the balance in plain
words, moving live, and its history), their plan, spend alerts, auto-recharge and invoices; for
admins, top-up, grant, void and a portal link."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from nicegui import ui
from starlette.responses import Response

from console.api import Api, Console, Refused
from console.catalog.overrides import ThresholdOverride
from console.catalog.payment_methods import PaymentMethods
from console.customers import portal_link
from console.errors import BANNER
from console.invoices.customer import CustomerInvoices
from console.layout import error_banner, page
from console.plans.subscriptions import SubscriptionCard
from console.wallets import live, runway
from console.wallets.alerts import AlertLevels
from console.wallets.auto_recharge import AutoRecharge
from console.wallets.credits import GrantDialog, Target, VoidDialog
from console.wallets.top_up import TopUpDialog
from console.wallets.view import CustomerWallet


class CustomerPage:
    def __init__(self, api: Api, external_id: str) -> None:
        self.api, self.external_id = api, external_id
        self.wallet = CustomerWallet(api, external_id)
        self.invoices = CustomerInvoices(api, external_id)

    async def load(self) -> dict[str, Any] | None:
        """The customer, or None once a banner has said why not."""
        try:
            customer = await self.wallet.load()
        except Refused as error:
            BANNER.tell(error)
            return None
        if customer is None:
            error_banner(
                f"There is no customer with the id “{self.external_id}”. "
                "Find them on the Customers page."
            )
        return customer

    async def show(self) -> None:
        customer = await self.load()
        if customer is None:
            return
        ui.link("← All customers", "/console/customers").classes("text-primary")
        with ui.row().classes("w-full items-center"):
            with ui.column().classes("gap-0"):
                ui.label(customer["name"]).classes("text-h5").mark("customer-name")
                email = customer["billingEmail"] or "no billing email"
                ui.label(f"Id {customer['externalId']} · {email}").classes("text-grey-8")
            ui.space()
            self.actions(customer)
        self.wallet.balance()
        if customer["wallet"] is not None:
            await runway.show(self.api, customer["wallet"]["id"])
        self.wallet.history()
        if customer["wallet"] is not None:
            await self.sections(customer["name"], customer["wallet"]["id"])
            live.watch(self.api, customer["wallet"]["id"], self.wallet.refresh)

    def actions(self, customer: dict[str, Any]) -> None:
        wallet = customer["wallet"]
        if not self.api.is_admin:
            ui.label("Read only: ask an admin to grant or remove credits.").classes(
                "text-grey-8"
            ).mark("read-only")
        elif wallet is not None:
            self.admin_buttons(self.wallet.target(wallet))

    def admin_buttons(self, target: Target) -> None:
        if self.api.console.has_mutation("topUp"):
            top_up = TopUpDialog(self.api, target, self.external_id, self.topped_up)
            button("Top up", "shopping_cart", top_up.start, "top-up")
        grant = GrantDialog(self.api, target, self.wallet.refresh)
        void = VoidDialog(self.api, target, self.wallet.refresh)
        button("Grant credits", "add_card", grant.open, "grant")
        button("Remove credits", "remove", void.open, "void", "outline no-caps")
        button("Portal link", "link", self.portal_link, "portal-link", "flat no-caps")

    async def topped_up(self) -> None:
        await self.wallet.refresh()
        self.invoices.show.refresh()

    async def portal_link(self) -> None:
        await portal_link.make(self.api, self.external_id, self.wallet.data["customer"]["name"])

    async def sections(self, name: str, wallet_id: str) -> None:
        has = self.api.console.has_query
        self.plan = SubscriptionCard(self.api, self.external_id, name, self.plan_changed)
        if has("subscriptions"):
            await section("Plan", self.plan.show)
        if has("subscriptions"):
            overrides = ThresholdOverride(self.api, self.external_id, name)
            await section("Usage thresholds", overrides.show)
        if has("paymentMethods"):
            methods = PaymentMethods(self.api, self.external_id, name)
            await section("Payment methods", methods.show)
        if has("alertThresholds"):
            title = "Spend alerts (emailed to the billing address)"
            await section(title, AlertLevels(self.api, wallet_id).show)
        if has("autoRechargeRule"):
            await section("Auto-recharge", AutoRecharge(self.api, wallet_id).show)
        if has("invoices"):
            await section("Invoices", self.invoices.show)

    async def plan_changed(self) -> None:
        self.plan.show.refresh()
        self.invoices.show.refresh()


Action = Callable[[], Awaitable[None] | None]


def button(
    text: str, icon: str, action: Action, marker: str, props: str = "unelevated no-caps"
) -> None:
    ui.button(text, icon=icon, on_click=action).props(props).mark(marker)


async def section(title: str, show: Callable[[], Awaitable[None]]) -> None:
    with ui.card().classes("w-full"):
        ui.label(title).classes("text-subtitle1")
        await show()


async def customer(api: Api, external_id: str) -> None:
    await CustomerPage(api, external_id).show()


def register(console: Console) -> None:
    @ui.page("/console/customers/{external_id}", title="Customer · Tally")
    async def customer_page(external_id: str) -> Response | None:
        path = f"/console/customers/{external_id}"
        return await page(console, path, "", customer, external_id, current="/console/customers")
