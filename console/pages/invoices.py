"""Invoices: every invoice, newest first, with its status in words."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format
from console.api import Caller, Console
from console.layout import frame
from console.tables import columns, paged_table

QUERY = """
query Invoices($after: String) {
  invoices(first: 50, after: $after) {
    nodes {
      id number type status paymentStatus total { amount currency }
      customer { name externalId } createdAt dueAt paidAt
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""
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


def register(console: Console) -> None:
    @ui.page("/console/invoices", title="Invoices · Tally")
    async def invoices_page() -> Response | None:
        caller = await auth.require(console, "/console/invoices")
        if not isinstance(caller, Caller):
            return caller
        with frame("Invoices", caller, "/console/invoices"):
            await paged_table(
                console,
                caller,
                QUERY,
                "invoices",
                COLUMNS,
                invoice_row,
                "invoices",
                "No invoices yet: they appear when customers buy credits or cross a threshold.",
            )
        return None
