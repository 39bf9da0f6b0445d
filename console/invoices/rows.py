"""An invoice in words: its table row, its status, its label."""

from __future__ import annotations

from typing import Any

from console import format
from console.tables import columns

TYPE_WORDS = {
    "CREDIT_PURCHASE": "credit purchase",
    "THRESHOLD": "usage threshold reached",
    "PERIOD_END": "end of period",
}
COLUMNS = columns(
    ("number", "Number"),
    ("customer", "Customer"),
    ("type", "For"),
    ("total", "Total"),
    ("status", "Status"),
    ("created", "Created"),
)


def status(invoice: dict[str, Any]) -> str:
    if invoice["status"] == "PAID":
        return f"paid {format.day(invoice['paidAt'])}" if invoice["paidAt"] else "paid"
    if invoice["status"] == "VOID":
        return "void"
    if invoice["status"] == "DRAFT":
        return "draft"
    if invoice["paymentStatus"] == "FAILED":
        return "payment failed"
    due = f", due {format.day(invoice['dueAt'])}" if invoice["dueAt"] else ""
    return f"awaiting payment{due}"


def invoice_row(invoice: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": invoice["id"],
        "number": invoice["number"] or "(draft)",
        "customer": invoice["customer"]["name"],
        "type": TYPE_WORDS.get(invoice["type"], invoice["type"].lower()),
        "total": format.money(invoice["total"]["amount"], invoice["total"]["currency"]),
        "status": status(invoice),
        "created": format.day(invoice["createdAt"]),
    }


def label(invoice: dict[str, Any]) -> str:
    """ "TLY-000042 (58.00 USD)" """
    total = format.money(invoice["total"]["amount"], invoice["total"]["currency"])
    return f"{invoice['number'] or 'the draft invoice'} ({total})"
