"""A customer's wallet as the customer page shows it: read with the customer in one query, with
30 days of consumption and usage by metric, the balance in plain words, and the history."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format
from console.api import Api, Refused, operation
from console.errors import NOTIFY
from console.layout import stat
from console.wallets import history
from console.wallets.credits import Target

DETAIL = operation("""
query Customer($id: String!) {
  customer(externalId: $id) {
    externalId name billingEmail currency createdAt
    wallet {
      id currency rate policy overdraftLimit balance debt
      balanceValue { amount currency }
      grants(first: 100) {
        nodes { id kind source amount remaining expiresAt description createdAt }
      }
      ledgerEntries(first: 100) {
        nodes { id kind credits balanceAfter description units unitLabel createdAt }
      }
    }
  }
}
""")
CONSUMPTION = operation("""
query Consumption($id: String!, $days: Int!) {
  consumptionByDay(days: $days, customerExternalId: $id) { day credits }
}
""")
USAGE = operation("""
query Usage($id: String!, $days: Int!) {
  usageByMetric(customerExternalId: $id, days: $days) { metricCode unitLabel units credits }
}
""")
POLICY_WORDS = {
    "BLOCK": "Access stops when the balance reaches zero.",
    "OVERDRAFT": "Access continues into an overdraft of up to {limit}.",
    "ALLOW": "Access never stops; usage beyond the credits is billed later.",
}


class CustomerWallet:
    def __init__(self, api: Api, external_id: str) -> None:
        self.api, self.external_id = api, external_id
        self.data: dict[str, Any] = {}

    async def load(self) -> dict[str, Any] | None:
        """The customer (None when there is none); raises ``Refused``."""
        variables = {"id": self.external_id, "days": 30}
        data = await self.api.execute(DETAIL, {"id": self.external_id})
        if data["customer"] is not None:
            data |= await self.api.execute(CONSUMPTION, variables)
            if self.api.console.has_query("usageByMetric"):
                data |= await self.api.execute(USAGE, variables)
        self.data = data
        customer: dict[str, Any] | None = data["customer"]
        return customer

    @property
    def wallet(self) -> dict[str, Any] | None:
        wallet: dict[str, Any] | None = self.data["customer"]["wallet"]
        return wallet

    def pace(self) -> Decimal:
        return format.daily_pace([Decimal(d["credits"]) for d in self.data["consumptionByDay"]])

    def target(self, wallet: dict[str, Any]) -> Target:
        name = self.data["customer"]["name"]
        return Target(wallet["id"], name, wallet["currency"], Decimal(wallet["rate"]))

    @ui.refreshable_method
    def balance(self) -> None:
        customer, wallet = self.data["customer"], self.wallet
        if wallet is None:
            ui.label(f"{customer['name']} has no {customer['currency']} wallet yet.")
            return
        balance = Decimal(wallet["balance"])
        ui.label(format.balance_sentence(customer["name"], balance, self.pace())).classes(
            "text-h6"
        ).mark("balance-sentence")
        with ui.row().classes("w-full gap-4"):
            figures(wallet, self.pace())
        limit = format.credits(wallet["overdraftLimit"])
        ui.label(POLICY_WORDS.get(wallet["policy"], "").format(limit=limit)).classes("text-grey-8")

    @ui.refreshable_method
    def history(self) -> None:
        if self.wallet is not None:
            history.show(self.wallet, self.data.get("usageByMetric"), self.api.now())

    async def refresh(self) -> None:
        try:
            await self.load()
        except Refused as error:
            NOTIFY.tell(error)
            return
        self.balance.refresh()
        self.history.refresh()


def figures(wallet: dict[str, Any], pace: Decimal) -> None:
    balance, currency = Decimal(wallet["balance"]), wallet["currency"]
    stat("Balance", format.credits(balance), "moves live as usage arrives", "balance")
    stat(
        "Worth",
        format.money(wallet["balanceValue"]["amount"], currency),
        f"1 credit = {Decimal(wallet['rate']).normalize():f} {currency}",
    )
    stat("Used per day", format.credits(pace.quantize(Decimal(1))), "average of the last 7 days")
