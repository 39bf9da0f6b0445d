"""The portal's invoices: the customer's own, newest first — number, date, total, status in
words — each with its PDF (a signed link valid a few minutes, made when the page loads; the
page's "Refresh" makes new ones)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from nicegui import ui

from console import format
from console.api import Api, Refused, operation
from console.invoices.rows import status

INVOICES = operation("""
query PortalInvoices($id: String!) {
  invoices(customerExternalId: $id, first: 20) {
    nodes { id number status paymentStatus total { amount currency } createdAt dueAt paidAt
            pdfUrl }
  }
}
""")


def invoice_line(invoice: dict[str, Any]) -> None:
    link = urlsplit(invoice["pdfUrl"])
    with ui.row().classes("w-full items-center no-wrap gap-3"):
        ui.label(invoice["number"] or "Draft").classes("w-32 text-weight-medium")
        ui.label(format.day(invoice["createdAt"])).classes("w-28 text-grey-8")
        ui.label(format.money(invoice["total"]["amount"], invoice["total"]["currency"])).classes(
            "w-32 text-right"
        )
        ui.label(status(invoice)).classes("flex-1")
        ui.link("PDF", f"{link.path}?{link.query}", new_tab=True).mark("portal-invoice-pdf")


class PortalInvoices:
    def __init__(self, api: Api, external_id: str) -> None:
        self.api, self.external_id = api, external_id

    @ui.refreshable_method
    async def show(self) -> None:
        try:
            data = await self.api.execute(INVOICES, {"id": self.external_id})
        except Refused:
            return
        with ui.card().classes("w-full").mark("portal-invoices"):
            with ui.row().classes("w-full items-center justify-between"):
                ui.label("Invoices").classes("text-subtitle1")
                ui.button("Refresh", icon="refresh", on_click=self.show.refresh).props(
                    "flat dense no-caps"
                )
            for invoice in data["invoices"]["nodes"]:
                invoice_line(invoice)
            if not data["invoices"]["nodes"]:
                ui.label("No invoices yet.").classes("text-grey-8")
