"""Invoices: every invoice, newest first, with its status in words; an invoice's page, where
admins mark it paid (paid outside Tally) or void it, each after a confirmation."""

from __future__ import annotations

from typing import Any

from nicegui import ui
from starlette.responses import Response

from console import auth, format, forms
from console.api import Caller, Console, Refused, problem
from console.dialogs import confirm
from console.layout import error_banner, frame
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


INVOICE = """
query Invoice($id: ID!) {
  invoice(id: $id) {
    id number type status paymentStatus total { amount currency }
    customer { name externalId } createdAt dueAt paidAt voidedAt voidReason
    lines { description quantity amount { amount currency } }
  }
}
"""
RESULT = (
    "__typename ... on InvoicePayload { invoice { id status } } ... on Error { code message field }"
)
MARK_PAID = f"""
mutation MarkPaid($id: ID!) {{ markInvoicePaid(input: {{invoiceId: $id}}) {{ {RESULT} }} }}
"""
VOID = f"""
mutation VoidInvoice($id: ID!, $reason: String!) {{
  voidInvoice(input: {{invoiceId: $id, reason: $reason}}) {{ {RESULT} }}
}}
"""


def label(invoice: dict[str, Any]) -> str:
    """ "TLY-000042 (58.00 USD)" """
    total = format.money(invoice["total"]["amount"], invoice["total"]["currency"])
    return f"{invoice['number'] or 'the draft invoice'} ({total})"


async def invoice_detail(console: Console, caller: Caller, invoice_id: str) -> None:
    """The invoice, and for admins the actions its status allows."""

    @ui.refreshable
    async def detail() -> None:
        try:
            invoice = (await console.execute(caller, INVOICE, {"id": invoice_id}))["invoice"]
        except Refused as error:
            error_banner(error.message)
            return
        if invoice is None:
            error_banner("There is no such invoice.")
            return
        row = invoice_row(invoice)
        with ui.card().classes("w-full gap-1"):
            ui.label(f"{row['number']} · {invoice['customer']['name']}").classes("text-h6")
            ui.label(f"{row['total']} for {row['type']}").classes("text-body1")
            ui.label(f"Status: {row['status']}").classes("text-body1").mark("invoice-status")
            if invoice["voidReason"]:
                ui.label(f"Void because: {invoice['voidReason']}").classes("text-grey-8")
            ui.label(f"Created {row['created']}").classes("text-caption text-grey-7")
        ui.table(
            columns=columns(
                ("description", "Line"), ("quantity", "Quantity"), ("amount", "Amount")
            ),
            rows=[
                {
                    "id": n,
                    "description": line["description"],
                    "quantity": format.number(line["quantity"]),
                    "amount": format.money(line["amount"]["amount"], line["amount"]["currency"]),
                }
                for n, line in enumerate(invoice["lines"])
            ],
            row_key="id",
        ).props("flat bordered").classes("w-full").mark("invoice-lines")
        if not caller.is_admin:
            return
        with ui.row().classes("items-center gap-2"):

            async def send(query: str, field: str, variables: dict[str, Any], done: str) -> None:
                message.set_text("")
                try:
                    data = await console.execute(caller, query, variables)
                except Refused as error:
                    message.set_text(error.message)
                    return
                failed = problem(data[field])
                if failed is not None:
                    message.set_text(forms.sentence(failed.message))
                    return
                ui.notify(done, type="positive")
                detail.refresh()

            async def mark_paid(_: str) -> None:
                done = f"{row['number']} is paid."
                await send(MARK_PAID, "markInvoicePaid", {"id": invoice_id}, done)

            async def void(reason: str) -> None:
                variables = {"id": invoice_id, "reason": reason}
                await send(VOID, "voidInvoice", variables, f"{row['number']} is void.")

            if invoice["status"] == "FINALIZED":
                ui.button(
                    "Mark paid",
                    icon="paid",
                    on_click=lambda: confirm(
                        "Mark paid",
                        [
                            f"Mark {label(invoice)} as paid? Use this when the customer paid "
                            "outside Tally.",
                            "A credit purchase delivers its credits now.",
                        ],
                        "Yes, mark paid",
                        "mark-paid",
                        mark_paid,
                    ),
                ).props("unelevated no-caps").mark("mark-paid")
            if invoice["status"] in ("DRAFT", "FINALIZED"):
                ui.button(
                    "Void",
                    icon="block",
                    on_click=lambda: confirm(
                        "Void",
                        [
                            f"Void {label(invoice)}? The customer no longer owes it; its number "
                            "stays taken.",
                            "Credits granted before payment are taken back. This cannot be undone.",
                        ],
                        "Yes, void it",
                        "void-invoice",
                        void,
                        reason="Reason (for example: ordered by mistake)",
                    ),
                ).props("outline no-caps color=negative").mark("void-invoice")
            message = ui.label("").classes("text-negative").mark("invoice-error")

    await detail()


def register(console: Console) -> None:
    @ui.page("/console/invoices", title="Invoices · Tally")
    async def invoices_page() -> Response | None:
        caller = await auth.require(console, "/console/invoices")
        if not isinstance(caller, Caller):
            return caller
        with frame("Invoices", caller, "/console/invoices"):
            table = await paged_table(
                console,
                caller,
                QUERY,
                "invoices",
                COLUMNS,
                invoice_row,
                "invoices",
                "No invoices yet: they appear when customers buy credits or cross a threshold.",
            )
            table.on("rowClick", lambda e: ui.navigate.to(f"/console/invoices/{e.args[1]['id']}"))
            ui.label("Click an invoice to see it (and, for admins, to mark it paid or void it).")
        return None

    @ui.page("/console/invoices/{invoice_id}", title="Invoice · Tally")
    async def invoice_page(invoice_id: str) -> Response | None:
        path = f"/console/invoices/{invoice_id}"
        caller = await auth.require(console, path)
        if not isinstance(caller, Caller):
            return caller
        with frame("Invoice", caller, "/console/invoices"):
            ui.link("← All invoices", "/console/invoices")
            await invoice_detail(console, caller, invoice_id)
        return None
