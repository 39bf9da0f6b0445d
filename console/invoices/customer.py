"""A customer's invoices, on the customer page (refreshed after a top-up or a plan change)."""

from __future__ import annotations

from nicegui import ui

from console.api import Api, operation
from console.invoices.rows import COLUMNS, invoice_row
from console.tables import paged_table

INVOICES = operation("""
query CustomerInvoices($id: String!, $after: String) {
  invoices(customerExternalId: $id, first: 20, after: $after) {
    nodes { id number type status paymentStatus total { amount currency }
            customer { name externalId } createdAt dueAt paidAt }
    pageInfo { hasNextPage endCursor }
  }
}
""")


class CustomerInvoices:
    def __init__(self, api: Api, external_id: str) -> None:
        self.api, self.external_id = api, external_id

    @ui.refreshable_method
    async def show(self) -> None:
        await paged_table(
            self.api,
            INVOICES,
            "invoices",
            COLUMNS,
            invoice_row,
            "customer-invoices",
            "No invoices for this customer yet.",
            {"id": self.external_id},
        )
