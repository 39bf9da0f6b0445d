"""The customer portal at /portal/<token>: one customer's live balance, history and credit
packs, read through the schema as that customer (a customer token cannot see anyone else)."""

from __future__ import annotations

import contextlib
import uuid
from decimal import Decimal, InvalidOperation
from typing import Any

from nicegui import background_tasks, ui

from app.access import tokens
from app.errors import Unauthorized
from console import format, forms
from console.api import Caller, Console, Refused, problem
from console.layout import theme
from console.wallet_settings import ADD_ALERT, ALERTS, REMOVE_ALERT

PORTAL = """
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
"""
BUNDLES = "query { bundles { code name credits bonusCredits price { amount currency } } }"
BUY = """
mutation Buy($input: TopUpInput!) {
  topUp(input: $input) {
    __typename ... on RechargePayload { recharge { id status credits failureReason } }
    ... on Error { code message field }
  }
}
"""
RECHARGE = "query Recharge($id: ID!) { recharge(id: $id) { id status credits failureReason } }"
WATCH_SECONDS = 120  # how long the page watches a pending payment
LIVE = "subscription Live($id: ID!) { walletUpdated(walletId: $id, initial: false) { balance } }"
EXPIRED = "This link has expired. Ask your account manager for a new one."
INVALID = (
    "This link is not valid: it may have been cut short or changed. Open the link exactly as "
    "you received it, or ask your account manager for a new one."
)


def alerts_sentence(thresholds: list[dict[str, Any]]) -> str:
    """ "Email me at 50 %, 25 %, 10 % of my last top-up, and when I run out." """
    parts = []
    percents = [t["label"] for t in thresholds if t["kind"] == "PERCENT"]
    if percents:
        parts.append(f"at {', '.join(percents)} of my last top-up")
    absolutes = [t["label"] for t in thresholds if t["kind"] == "ABSOLUTE"]
    if absolutes:
        parts.append(f"at {', '.join(absolutes)} left")
    if any(t["kind"] == "DEPLETED" for t in thresholds):
        parts.append("when I run out")
    if not parts:
        return "No email alerts."
    if len(parts) == 1:
        return f"Email me {parts[0]}."
    return f"Email me {', '.join(parts[:-1])}, and {parts[-1]}."


def message_page(text: str) -> None:
    theme()
    with ui.card().classes("absolute-center w-[32rem] q-pa-lg"):
        ui.label("Billing portal").classes("text-h6")
        ui.label(text).classes("text-body1").mark("portal-message")


class Portal:
    def __init__(self, console: Console, caller: Caller, external_id: str) -> None:
        self.console, self.caller, self.external_id = console, caller, external_id
        self.data: dict[str, Any] = {}

    async def load(self) -> None:
        self.data = await self.console.execute(self.caller, PORTAL, {"id": self.external_id})

    @ui.refreshable_method
    def balance(self) -> None:
        customer = self.data["customer"]
        wallet = customer["wallet"]
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
        with ui.card().classes("w-full"):
            ui.label("Recent activity").classes("text-subtitle1")
            for entry in wallet["ledgerEntries"]["nodes"]:
                with ui.row().classes("w-full justify-between no-wrap"):
                    ui.label(format.day(entry["createdAt"])).classes("w-28 text-grey-8")
                    ui.label(entry["description"]).classes("flex-1")
            if not wallet["ledgerEntries"]["nodes"]:
                ui.label("Nothing yet.").classes("text-grey-8")

    async def change_alert(self, query: str, change: dict[str, Any], done: str) -> None:
        try:
            data = await self.console.execute(self.caller, query, {"input": change})
        except Refused as error:
            ui.notify(error.message, type="negative")
            return
        failed = problem(next(iter(data.values())))
        if failed is not None:
            ui.notify(forms.sentence(failed.message), type="negative")
            return
        ui.notify(done, type="positive")
        self.alerts.refresh()

    @ui.refreshable_method
    async def alerts(self, wallet_id: str) -> None:
        try:
            data = await self.console.execute(self.caller, ALERTS, {"w": wallet_id})
        except Refused:
            return
        result = data["alertThresholds"]
        if problem(result) is not None:
            return
        thresholds = result["thresholds"]
        with ui.card().classes("w-full"):
            ui.label("Alerts").classes("text-subtitle1")
            ui.label(alerts_sentence(thresholds)).classes("text-body1").mark("portal-alerts")
            for threshold in thresholds:
                if threshold["kind"] == "DEPLETED":
                    continue
                change = {
                    "walletId": wallet_id,
                    "kind": threshold["kind"],
                    "value": threshold["value"],
                }
                with ui.row().classes("w-full items-center"):
                    ui.label(threshold["label"]).classes("flex-1")
                    ui.button(
                        "Remove",
                        on_click=lambda c=change: self.change_alert(
                            REMOVE_ALERT, c, "Alert removed."
                        ),
                    ).props("flat dense no-caps color=negative").mark(
                        f"portal-remove-alert-{threshold['value']}"
                    )
            with ui.row().classes("items-start"):
                percent = ui.input("Percent of my last top-up", placeholder="20").classes("w-56")
                percent.mark("portal-alert-percent")

                async def add() -> None:
                    percent.error = None
                    try:
                        number = Decimal(forms.text(percent).replace("%", "").strip())
                    except InvalidOperation:
                        percent.error = "Type a percentage, like 20."
                        return
                    change = {"walletId": wallet_id, "kind": "PERCENT", "value": str(number)}
                    await self.change_alert(ADD_ALERT, change, "Alert added.")

                ui.button("Add alert", on_click=add).props("outline no-caps").mark(
                    "portal-add-alert"
                )

    async def refresh(self) -> None:
        with contextlib.suppress(Refused):
            await self.load()
            self.balance.refresh()

    async def follow(self, wallet_id: str) -> None:
        stream = await self.console.schema.subscribe(
            LIVE, variable_values={"id": wallet_id}, context_value=self.console.context(self.caller)
        )
        try:
            async for result in stream:
                if getattr(result, "errors", None):
                    return
                await self.refresh()
        finally:
            with contextlib.suppress(Exception):
                await stream.aclose()

    async def bundles(self, wallet_id: str) -> None:
        try:
            bundles = (await self.console.execute(self.caller, BUNDLES))["bundles"]
        except Refused:
            return
        if not bundles:
            return
        can_buy = self.console.has_mutation("topUp")
        with ui.card().classes("w-full"):
            ui.label("Buy credits").classes("text-subtitle1")
            if not can_buy:
                ui.label("Purchases arrive with payments; for now, ask your account manager.")
            for bundle in bundles:
                credits = Decimal(bundle["credits"]) + Decimal(bundle["bonusCredits"])
                price = format.money(bundle["price"]["amount"], bundle["price"]["currency"])
                with ui.row().classes("w-full items-center"):
                    ui.label(f"{bundle['name']}: {format.credits(credits)} for {price}").classes(
                        "flex-1"
                    )
                    if can_buy:
                        ui.button(
                            "Buy",
                            on_click=lambda b=bundle: self.buy(wallet_id, b, str(uuid.uuid4())),
                        ).props("unelevated no-caps").mark(f"buy-{bundle['code']}")

    async def buy(self, wallet_id: str, bundle: dict[str, Any], key: str) -> None:
        variables = {
            "input": {"walletId": wallet_id, "bundleCode": bundle["code"], "idempotencyKey": key}
        }
        try:
            data = await self.console.execute(self.caller, BUY, variables)
        except Refused as error:
            ui.notify(error.message, type="negative")
            return
        failed = problem(data["topUp"])
        if failed is not None:
            ui.notify(failed.message, type="negative")
            return
        recharge = data["topUp"]["recharge"]
        if self.settled(recharge, bundle):
            return
        ui.notify(f"Thank you! {bundle['name']} is on its way.", type="positive")
        checks = {"left": WATCH_SECONDS}

        async def check() -> None:
            checks["left"] -= 1
            try:
                found = await self.console.execute(self.caller, RECHARGE, {"id": recharge["id"]})
            except Refused:
                timer.cancel()
                return
            if self.settled(found["recharge"], bundle) or checks["left"] <= 0:
                timer.cancel()

        timer = ui.timer(1.0, check)

    def settled(self, recharge: dict[str, Any] | None, bundle: dict[str, Any]) -> bool:
        """Tell the customer how a purchase ended; False while the payment is pending."""
        if recharge is None or recharge["status"] == "PENDING":
            return False
        if recharge["status"] == "FAILED":
            reason = recharge["failureReason"] or "the payment was not accepted"
            ui.notify(
                f"The payment failed ({reason}). No credits were added; try another card "
                "or contact us.",
                type="negative",
                multi_line=True,
            )
        else:
            ui.notify(f"Payment received: {bundle['name']} was added.", type="positive")
        return True


def register(console: Console) -> None:
    @ui.page("/portal/{token}", title="Billing portal")
    async def portal_page(token: str) -> None:
        settings, now = console.runtime.settings, console.runtime.clock.now()
        try:
            principal = tokens.verify(settings.signing_secret(), token, now)
        except Unauthorized as error:
            message_page(EXPIRED if error.code == "token_expired" else INVALID)
            return
        assert principal.customer_external_id is not None
        portal = Portal(console, Caller(principal), principal.customer_external_id)
        try:
            await portal.load()
        except Refused:
            message_page(INVALID)
            return
        customer = portal.data["customer"]
        if customer is None:
            message_page(INVALID)
            return
        theme()
        with ui.column().classes("w-full max-w-3xl mx-auto q-pa-md gap-4"):
            ui.label(customer["name"]).classes("text-h5").mark("portal-customer")
            portal.balance()
            wallet = customer["wallet"]
            if wallet is not None:
                await portal.bundles(wallet["id"])
                if console.has_query("alertThresholds"):
                    await portal.alerts(wallet["id"])
                task = background_tasks.create(
                    portal.follow(wallet["id"]), name="portal balance", context=ui.context.client
                )
                ui.context.client.on_delete(task.cancel)
