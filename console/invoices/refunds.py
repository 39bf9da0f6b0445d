"""Refunds on a credit-purchase invoice's page: its credit notes, and for admins "Refund
credits" — every unused credit by default, or a number of them — after a confirmation that
says what goes back (``refundCredits``, once per dialog by its idempotency key)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Api, operation
from console.dialog import Confirmation, Dialog
from console.errors import Inputs, fetch
from console.tables import columns

REFUNDS = operation("""
query Refunds($id: ID!) {
  refunds(invoiceId: $id) {
    number credits bonusCredits amount { amount currency } status reason failureReason createdAt
  }
}
""")
REFUND = operation("""
mutation Refund($input: RefundCreditsInput!) { refundCredits(input: $input) {
  __typename ... on RefundPayload { refund { number credits amount { amount currency } } }
  ... on Error { code message field }
} }
""")
COLUMNS = columns(
    ("number", "Credit note"),
    ("credits", "Credits"),
    ("amount", "Money back"),
    ("status", "Status"),
    ("reason", "Reason"),
    ("created", "When"),
)
Done = Callable[[], Awaitable[None]]
STATUS = {
    "PENDING": "being sent",
    "PROCESSING": "being sent",
    "SUCCEEDED": "returned",
    "FAILED": "refused by the provider",
    "OFFLINE": "to return outside Tally",
}


def _row(n: int, refund: dict[str, Any]) -> dict[str, Any]:
    credits = format.number(refund["credits"])
    if Decimal(refund["bonusCredits"]) > 0:
        credits += f" (+{format.number(refund['bonusCredits'])} bonus)"
    status = STATUS[refund["status"]]
    if refund["failureReason"]:
        status += f": {refund['failureReason']}"
    return {
        "id": n,
        "number": refund["number"],
        "credits": credits,
        "amount": format.money(refund["amount"]["amount"], refund["amount"]["currency"]),
        "status": status,
        "reason": refund["reason"],
        "created": format.when(refund["createdAt"]),
    }


class RefundDialog(Dialog):
    button = "Review"

    def __init__(self, api: Api, invoice: dict[str, Any], done: Done) -> None:
        self.invoice, self.done, self.credits = invoice, done, ""
        super().__init__(api, "refund", "Refund credits")

    def ask(self) -> None:
        ui.label(
            f"Refund unused credits of {self.invoice['number']}: they leave the wallet now and "
            "their money goes back through the payment provider."
        ).classes("text-body1")
        self.amount = ui.input("Credits (empty: every unused credit)").classes("w-full")
        self.amount.mark("refund-credits")
        self.reason = ui.input("Reason (on the credit note)").classes("w-full")
        self.reason.mark("refund-reason")

    def inputs(self) -> Inputs:
        return {"credits": self.amount, "reason": self.reason}

    def reset(self) -> None:
        self.amount.value = ""
        self.reason.value = ""

    def checked(self) -> bool:
        self.credits = forms.text(self.amount)
        if self.credits:
            try:
                self.credits = str(format.parse_credits(self.credits))
            except ValueError as error:
                self.amount.error = str(error)
        return not self.amount.error

    def confirmations(self) -> list[Confirmation]:
        what = format.credits(self.credits) if self.credits else "every unused credit"
        return [
            Confirmation(
                [f"Refund {what} of {self.invoice['number']}?", "This cannot be undone."],
                "Yes, refund",
            )
        ]

    @property
    def document(self) -> str:
        return REFUND

    def variables(self) -> dict[str, Any]:
        request: dict[str, Any] = {
            "invoiceId": self.invoice["id"],
            "idempotencyKey": self.key,
            "reason": forms.text(self.reason),
        }
        if self.credits:
            request["credits"] = self.credits
        return {"input": request}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        refund = payload["refund"]
        money = format.money(refund["amount"]["amount"], refund["amount"]["currency"])
        ui.notify(
            f"{refund['number']}: {format.credits(refund['credits'])} refunded, "
            f"{money} going back.",
            type="positive",
        )
        await self.done()


class Refunds:
    """The section under a credit purchase: its refunds, and the action for admins."""

    def __init__(self, api: Api, invoice: dict[str, Any]) -> None:
        self.api, self.invoice = api, invoice

    async def refresh(self) -> None:
        self.show.refresh()

    @ui.refreshable_method
    async def show(self) -> None:
        data = await fetch(self.api, REFUNDS, {"id": self.invoice["id"]})
        found = [] if data is None else data["refunds"]
        with ui.column().classes("w-full gap-2").mark("refunds"):
            if found:
                ui.label("Refunds").classes("text-subtitle1")
                rows = [_row(n, refund) for n, refund in enumerate(found)]
                ui.table(columns=COLUMNS, rows=rows, row_key="id").props("flat bordered").classes(
                    "w-full"
                ).mark("refund-rows")
            if self.api.is_admin and self.invoice["status"] == "PAID":
                ui.button(
                    "Refund credits",
                    icon="undo",
                    on_click=lambda: RefundDialog(self.api, self.invoice, self.refresh).open(),
                ).props("outline no-caps").mark("refund")


async def section(api: Api, invoice: dict[str, Any]) -> None:
    """Mount under an invoice's summary: only credit purchases have refunds."""
    if invoice["type"] == "CREDIT_PURCHASE":
        await Refunds(api, invoice).show()
