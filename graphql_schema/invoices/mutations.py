from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.billing import collection
from app.errors import NotFound
from app.flows import settlement
from app.invoices.models import Invoice as InvoiceModel
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.invoices.types import Invoice
from graphql_schema.pagination import row_id
from graphql_schema.permissions import IsAdmin


@strawberry.input
class MarkInvoicePaidInput:
    invoice_id: strawberry.ID


@strawberry.input
class VoidInvoiceInput:
    invoice_id: strawberry.ID
    reason: str


@strawberry.input
class PayInvoiceWithCreditsInput:
    invoice_id: strawberry.ID


@strawberry.type
class InvoicePayload:
    invoice: InvoiceModel = strawberry.field(graphql_type=Invoice)


InvoiceResult: TypeAlias = Annotated[InvoicePayload | Failure, strawberry.union("InvoiceResult")]


def invoice_id(value: strawberry.ID) -> int:
    found = row_id(value)
    if found is None:
        raise NotFound("invoiceId", f"no invoice with id {value}")
    return found


@strawberry.type
class InvoiceMutations:
    @mutation(
        permission_classes=[IsAdmin],
        description="Record a payment made outside the provider (bank transfer, cash). A "
        "credit purchase delivers its credits. A void or paid invoice cannot be paid.",
    )
    async def mark_invoice_paid(self, info: Info, input: MarkInvoicePaidInput) -> InvoiceResult:
        now, settings = info.context.now, info.context.runtime.settings

        async def work(session: AsyncSession) -> InvoicePayload:
            paid = await settlement.mark_paid(session, invoice_id(input.invoice_id), settings, now)
            return InvoicePayload(invoice=paid)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Cancel an unpaid invoice (its number stays taken). Credits granted before "
        "payment are taken back.",
    )
    async def void_invoice(self, info: Info, input: VoidInvoiceInput) -> InvoiceResult:
        now, settings = info.context.now, info.context.runtime.settings

        async def work(session: AsyncSession) -> InvoicePayload:
            voided = await settlement.void(
                session, invoice_id(input.invoice_id), input.reason, settings, now
            )
            return InvoicePayload(invoice=voided)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Pay a threshold or period-end invoice from the customer's wallet now: its "
        "total converted to credits at the wallet's rate. The wallet must be in the invoice's "
        "currency and cover it.",
    )
    async def pay_invoice_with_credits(
        self, info: Info, input: PayInvoiceWithCreditsInput
    ) -> InvoiceResult:
        now = info.context.now

        async def work(session: AsyncSession) -> InvoicePayload:
            paid = await collection.pay_with_credits(session, invoice_id(input.invoice_id), now)
            return InvoicePayload(invoice=paid)

        return await attempt(info, work)
