"""The invoices pages: every invoice, newest first, with its status in words; an invoice's
page (``console.invoices.detail``)."""

from __future__ import annotations

from nicegui import ui
from starlette.responses import Response

from console.api import Api, Console, operation
from console.invoices.detail import InvoiceDetail
from console.invoices.rows import COLUMNS, invoice_row
from console.layout import page
from console.tables import paged_table

QUERY = operation("""
query Invoices($after: String) {
  invoices(first: 50, after: $after) {
    nodes {
      id number type status paymentStatus total { amount currency }
      customer { name externalId } createdAt dueAt paidAt
    }
    pageInfo { hasNextPage endCursor }
  }
}
""")
EMPTY = "No invoices yet: they appear when customers buy credits or cross a threshold."


async def invoices(api: Api) -> None:
    table = await paged_table(api, QUERY, "invoices", COLUMNS, invoice_row, "invoices", EMPTY)
    table.on("rowClick", lambda e: ui.navigate.to(f"/console/invoices/{e.args[1]['id']}"))
    ui.label("Click an invoice to see it (and, for admins, to mark it paid or void it).")


async def invoice(api: Api, invoice_id: str) -> None:
    ui.link("← All invoices", "/console/invoices")
    await InvoiceDetail(api, invoice_id).show()


def register(console: Console) -> None:
    @ui.page("/console/invoices", title="Invoices · Tally")
    async def invoices_page() -> Response | None:
        return await page(console, "/console/invoices", "Invoices", invoices)

    @ui.page("/console/invoices/{invoice_id}", title="Invoice · Tally")
    async def invoice_page(invoice_id: str) -> Response | None:
        path = f"/console/invoices/{invoice_id}"
        return await page(
            console, path, "Invoice", invoice, invoice_id, current="/console/invoices"
        )
