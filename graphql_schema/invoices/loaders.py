"""Per-operation dataloaders for invoices, their lines and payments, payment methods and
recharges, kept beside the operation's context (no N+1 on lists)."""

from __future__ import annotations

from strawberry.dataloader import DataLoader

from app.invoices import repository as invoices
from app.invoices.models import Invoice, InvoiceLine
from app.payments import repository as payments
from app.payments.models import Payment, PaymentMethod
from graphql_schema.context import Context, Info
from graphql_schema.loaders import many_loader, one_loader


class InvoiceLoaders:
    def __init__(self, context: Context) -> None:
        self.invoice: DataLoader[int, Invoice | None] = one_loader(
            context, invoices.by_ids, lambda i: i.id
        )
        self.lines: DataLoader[int, list[InvoiceLine]] = many_loader(
            context, invoices.lines_for, lambda line: line.invoice_id
        )
        self.payments: DataLoader[int, list[Payment]] = many_loader(
            context, payments.for_invoices, lambda p: p.invoice_id
        )
        self.method: DataLoader[int, PaymentMethod | None] = one_loader(
            context, payments.methods_by_ids, lambda m: m.id
        )


def invoice_loaders(info: Info) -> InvoiceLoaders:
    """The loaders of this operation (made on first use, gone with its context)."""
    return info.context.cached(InvoiceLoaders)
