"""An invoice's payment attempts, oldest first: when, how much, with which card, what became of
it and — for a failure — why, in the provider's words."""

from __future__ import annotations

from typing import Any

from nicegui import ui

from console import format
from console.tables import columns

FIELDS = """payments { id status amount { amount currency } failureReason attempts createdAt
                       settledAt paymentMethod { label } }"""
COLUMNS = columns(
    ("created", "Started"),
    ("amount", "Amount"),
    ("method", "Paid with"),
    ("status", "Outcome"),
    ("tries", "Sent to the provider"),
)
STATUS_WORDS = {
    "PENDING": "waiting to be sent",
    "PROCESSING": "sent, waiting for the provider's answer",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
}


def attempt_row(payment: dict[str, Any]) -> dict[str, Any]:
    status = STATUS_WORDS.get(payment["status"], payment["status"].lower())
    if payment["status"] == "SUCCEEDED" and payment["settledAt"]:
        status += f" {format.when(payment['settledAt'])}"
    if payment["failureReason"]:
        status += f" — {payment['failureReason']}"
    method = payment["paymentMethod"]
    tries = payment["attempts"]
    return {
        "id": payment["id"],
        "created": format.when(payment["createdAt"]),
        "amount": format.money(payment["amount"]["amount"], payment["amount"]["currency"]),
        "method": method["label"] if method else "—",
        "status": status,
        "tries": f"{tries} time" + ("" if tries == 1 else "s"),
    }


def attempts(invoice: dict[str, Any]) -> None:
    ui.label("Payment attempts").classes("text-subtitle1 q-mt-md")
    rows = [attempt_row(payment) for payment in invoice["payments"]]
    table = ui.table(columns=COLUMNS, rows=rows, row_key="id")
    table.props('flat bordered wrap-cells no-data-label="No attempt to collect it yet."')
    table.classes("w-full").mark("invoice-payments")
