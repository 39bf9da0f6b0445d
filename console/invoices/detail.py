"""An invoice's page: its customer (a link), its lines, status and payment attempts, its PDF;
admins mark it paid (paid outside Tally) or void it (with a reason), each after a
confirmation. The page follows the invoice live (``console.invoices.live``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from nicegui import ui

from console import format, forms
from console.api import Api, operation
from console.dialog import Dialog
from console.errors import Inputs, Say, fetch, on
from console.invoices import live, refunds
from console.invoices.attempts import FIELDS, attempts
from console.invoices.rows import invoice_row, label
from console.layout import error_banner
from console.tables import columns

INVOICE = operation(
    """
query Invoice($id: ID!) {
  invoice(id: $id) {
    id number type status paymentStatus total { amount currency }
    customer { id name externalId } createdAt dueAt paidAt voidedAt voidReason pdfUrl
    lines { description quantity amount { amount currency } }
    FIELDS
  }
}
""".replace("FIELDS", FIELDS)
)
RESULT = (
    "__typename ... on InvoicePayload { invoice { id status } } ... on Error { code message field }"
)
MARK_PAID = operation(f"""
mutation MarkPaid($id: ID!) {{ markInvoicePaid(input: {{invoiceId: $id}}) {{ {RESULT} }} }}
""")
VOID = operation(f"""
mutation VoidInvoice($id: ID!, $reason: String!) {{
  voidInvoice(input: {{invoiceId: $id, reason: $reason}}) {{ {RESULT} }}
}}
""")
LINE_COLUMNS = columns(("description", "Line"), ("quantity", "Quantity"), ("amount", "Amount"))


def summary(invoice: dict[str, Any]) -> None:
    row, customer = invoice_row(invoice), invoice["customer"]
    with ui.card().classes("w-full gap-1"):
        with ui.row().classes("items-baseline gap-2"):
            ui.label(f"{row['number']} ·").classes("text-h6")
            where = f"/console/customers/{quote(customer['externalId'], safe='')}"
            ui.link(customer["name"], where).classes("text-h6").mark("invoice-customer")
        ui.label(f"{row['total']} for {row['type']}").classes("text-body1")
        ui.label(f"Status: {row['status']}").classes("text-body1").mark("invoice-status")
        if invoice["voidReason"]:
            ui.label(f"Void because: {invoice['voidReason']}").classes("text-grey-8")
        ui.label(f"Created {row['created']}").classes("text-caption text-grey-7")
        pdf(invoice)
    rows = [
        {
            "id": n,
            "description": line["description"],
            "quantity": format.number(line["quantity"]),
            "amount": format.money(line["amount"]["amount"], line["amount"]["currency"]),
        }
        for n, line in enumerate(invoice["lines"])
    ]
    ui.table(columns=LINE_COLUMNS, rows=rows, row_key="id").props("flat bordered").classes(
        "w-full"
    ).mark("invoice-lines")


def pdf(invoice: dict[str, Any]) -> None:
    """The PDF, through its signed link (relative: the console and the API share a host)."""
    link = urlsplit(invoice["pdfUrl"])
    words = "Download the PDF" + (" (marked DRAFT)" if invoice["status"] == "DRAFT" else "")
    anchor = ui.link(words, f"{link.path}?{link.query}", new_tab=True).mark("invoice-pdf")
    anchor.classes("text-body2")


class InvoiceDialog(Dialog):
    """Confirm an action on the invoice; it closes when confirmed, and the page tells why the
    action failed, if it did."""

    closes_first = True
    marker = ""
    title = ""
    lines: tuple[str, ...] = ()  # {invoice}: its number and total

    def __init__(self, page: InvoiceDetail, invoice: dict[str, Any]) -> None:
        self.page, self.invoice = page, invoice
        self.number = invoice_row(invoice)["number"]
        super().__init__(page.api, self.marker, self.title, f"confirm-{self.marker}")

    def open(self) -> None:
        self.page.say.show("")
        super().open()

    def ask(self) -> None:
        for line in self.lines:
            ui.label(line.format(invoice=label(self.invoice))).classes("text-body1")

    def say(self) -> Say:
        return self.page.say

    async def report(self, words: str) -> None:
        ui.notify(words, type="positive")
        self.page.show.refresh()


class MarkPaidDialog(InvoiceDialog):
    marker, title, button = "mark-paid", "Mark paid", "Yes, mark paid"
    document = MARK_PAID
    lines = (
        "Mark {invoice} as paid? Use this when the customer paid outside Tally.",
        "A credit purchase delivers its credits now.",
    )

    def variables(self) -> dict[str, Any]:
        return {"id": self.invoice["id"]}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        await self.report(f"{self.number} is paid.")


class VoidInvoiceDialog(InvoiceDialog):
    marker, title, button = "void-invoice", "Void", "Yes, void it"
    document = VOID
    lines = (
        "Void {invoice}? The customer no longer owes it; its number stays taken.",
        "Credits granted before payment are taken back. This cannot be undone.",
    )

    def ask(self) -> None:
        super().ask()
        self.reason = ui.input("Reason (for example: ordered by mistake)").classes("w-full")
        self.reason.mark("void-invoice-reason")

    def inputs(self) -> Inputs:
        return {"reason": self.reason}

    def checked(self) -> bool:
        if not forms.text(self.reason):
            self.reason.error = "Say why, in a few words (for example: ordered by mistake)."
        return not self.reason.error

    def variables(self) -> dict[str, Any]:
        return {"id": self.invoice["id"], "reason": forms.text(self.reason)}

    async def succeeded(self, payload: dict[str, Any]) -> None:
        await self.report(f"{self.number} is void.")


class InvoiceDetail:
    """The invoice, and for admins the actions its status allows."""

    def __init__(self, api: Api, invoice_id: str) -> None:
        self.api, self.invoice_id = api, invoice_id
        self.say = Say()
        self.watching = False

    @ui.refreshable_method
    async def show(self) -> None:
        data = await fetch(self.api, INVOICE, {"id": self.invoice_id})
        if data is None:
            return
        invoice = data["invoice"]
        if invoice is None:
            error_banner("There is no such invoice.")
            return
        summary(invoice)
        if self.api.is_admin:
            self.actions(invoice)
        attempts(invoice)
        await refunds.section(self.api, invoice)
        if not self.watching:
            self.watching = True
            live.watch(self.api, invoice["customer"]["id"], self.invoice_id, self.changed)

    async def changed(self) -> None:
        self.show.refresh()

    def actions(self, invoice: dict[str, Any]) -> None:
        with ui.row().classes("items-center gap-2"):
            if invoice["status"] == "FINALIZED":
                ui.button(
                    "Mark paid", icon="paid", on_click=lambda: MarkPaidDialog(self, invoice).open()
                ).props("unelevated no-caps").mark("mark-paid")
            if invoice["status"] in ("DRAFT", "FINALIZED"):
                ui.button(
                    "Void", icon="block", on_click=lambda: VoidInvoiceDialog(self, invoice).open()
                ).props("outline no-caps color=negative").mark("void-invoice")
            message = ui.label("").classes("text-negative").mark("invoice-error")
        self.say = Say(on(message))
