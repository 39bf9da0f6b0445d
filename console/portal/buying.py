"""Buying credits in the portal: the bundles on offer, one click to buy (charged to the
customer's default payment method), and how the payment ended, watched for a while."""

from __future__ import annotations

import uuid
from typing import Any

from nicegui import ui

from console.api import Api, Refused, operation
from console.errors import QUIET, fetch, mutate
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


def settled(recharge: dict[str, Any] | None, bundle: dict[str, Any]) -> bool:
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


class Pending:
    """A purchase whose payment is pending: checked every second for ``WATCH_SECONDS``."""

    def __init__(self, api: Api, recharge_id: str, bundle: dict[str, Any]) -> None:
        self.api, self.recharge_id, self.bundle = api, recharge_id, bundle
        self.left = WATCH_SECONDS
        self.timer = ui.timer(1.0, self.check)

    async def check(self) -> None:
        self.left -= 1
        try:
            found = await self.api.execute(RECHARGE, {"id": self.recharge_id})
        except Refused:
            self.timer.cancel()
            return
        if settled(found["recharge"], self.bundle) or self.left <= 0:
            self.timer.cancel()


class Bundles:
    def __init__(self, api: Api, wallet_id: str) -> None:
        self.api, self.wallet_id = api, wallet_id

    async def show(self) -> None:
        data = await fetch(self.api, BUNDLES, say=QUIET)
        if not data or not data["bundles"]:
            return
        can_buy = self.api.console.has_mutation("topUp")
        with ui.card().classes("w-full"):
            ui.label("Buy credits").classes("text-subtitle1")
            if not can_buy:
                ui.label("Purchases arrive with payments; for now, ask your account manager.")
            for bundle in data["bundles"]:
                with ui.row().classes("w-full items-center"):
                    ui.label(bundle_words(bundle)).classes("flex-1")
                    if can_buy:
                        self.buy_button(bundle)

    def buy_button(self, bundle: dict[str, Any]) -> None:
        ui.button("Buy", on_click=lambda: self.buy(bundle, str(uuid.uuid4()))).props(
            "unelevated no-caps"
        ).mark(f"buy-{bundle['code']}")

    async def buy(self, bundle: dict[str, Any], key: str) -> None:
        purchase = {"walletId": self.wallet_id, "bundleCode": bundle["code"], "idempotencyKey": key}
        payload = await mutate(self.api, BUY, {"input": purchase})
        if payload is None or settled(payload["recharge"], bundle):
            return
        ui.notify(f"Thank you! {bundle['name']} is on its way.", type="positive")
        Pending(self.api, payload["recharge"]["id"], bundle)
