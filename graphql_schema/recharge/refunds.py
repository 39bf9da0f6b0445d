"""Refunds of purchased credits: ``refundCredits`` (a credit note on a paid credit-purchase
invoice) and ``refunds`` (an invoice's credit notes)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry import Parent

from app.errors import NotFound
from app.invoices.models import Invoice as InvoiceModel
from app.recharge.refund_models import Refund as RefundModel
from app.recharge.refund_models import RefundStatus
from app.recharge.refunds import RefundInput, of_invoice, refund_credits
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import Reads, field, mutation
from graphql_schema.invoices.loaders import invoice_loaders
from graphql_schema.invoices.types import Invoice
from graphql_schema.money import Money
from graphql_schema.pagination import row_id
from graphql_schema.payments.types import PaymentProvider
from graphql_schema.permissions import CanReadCustomer, IsAdmin, require_visible
from graphql_schema.scalars import Credits

strawberry.enum(
    RefundStatus,
    description="Where a refund's money is: PENDING/PROCESSING with the provider, SUCCEEDED "
    "(returned, or nothing to return), FAILED (the provider refused; owed outside Tally), "
    "OFFLINE (the invoice was paid outside the provider: return it the same way).",
)


def _amount(refund: Parent[RefundModel]) -> Money:
    return Money.of(refund.amount_minor, refund.currency)


async def _invoice(refund: Parent[RefundModel], info: Info) -> InvoiceModel:
    found = await invoice_loaders(info).invoice.load(refund.invoice_id)
    assert found is not None
    return found


@strawberry.type(
    description="A credit note on a credit-purchase invoice: unused purchased credits voided "
    "and their money returned."
)
class Refund:
    is_type_of = Reads(RefundModel)

    id: strawberry.ID
    number: str = strawberry.field(description="The credit note's number (CN-000001).")
    invoice: InvoiceModel = strawberry.field(resolver=_invoice, graphql_type=Invoice)
    wallet_id: strawberry.ID
    credits: Credits = strawberry.field(description="Paid credits refunded.")
    bonus_credits: Credits = strawberry.field(
        description="The bundle's free bonus credits voided with them (in proportion)."
    )
    amount: Money = strawberry.field(resolver=_amount, description="The money returned.")
    status: RefundStatus
    reason: str
    provider: PaymentProvider | None = strawberry.field(
        description="Who returns the money (none: nothing to return, or OFFLINE)."
    )
    provider_reference: str | None
    failure_reason: str | None
    created_at: datetime
    refunded_at: datetime | None


@strawberry.input(description="Refund `credits` (default: every unused credit) of a purchase.")
class RefundCreditsInput:
    invoice_id: strawberry.ID
    idempotency_key: str = strawberry.field(
        description="Your key for this request: a retry with the same key refunds once."
    )
    credits: Credits | None = None
    reason: str = ""


@strawberry.type
class RefundPayload:
    refund: RefundModel = strawberry.field(graphql_type=Refund)


RefundResult: TypeAlias = Annotated[RefundPayload | Failure, strawberry.union("RefundResult")]


def _invoice_id(value: strawberry.ID) -> int:
    found = row_id(value)
    if found is None:
        raise NotFound("invoiceId", f"no invoice with id {value}")
    return found


@strawberry.type
class RefundMutations:
    @mutation(
        permission_classes=[IsAdmin],
        description="Refund purchased credits: a credit note on a paid credit-purchase invoice, "
        "for at most its unused credits; voids them at once and returns their money through "
        "the payment provider. Idempotent by key.",
    )
    async def refund_credits(self, info: Info, input: RefundCreditsInput) -> RefundResult:
        now = info.context.now

        async def work(session: AsyncSession) -> RefundPayload:
            request = RefundInput(
                invoice_id=_invoice_id(input.invoice_id),
                idempotency_key=input.idempotency_key,
                credits=input.credits,
                reason=input.reason,
            )
            return RefundPayload(refund=await refund_credits(session, request, now))

        return await attempt(info, work)


@strawberry.type
class RefundQueries:
    @field(
        permission_classes=[CanReadCustomer],
        graphql_type=list[Refund],
        description="The refunds (credit notes) of a credit-purchase invoice, oldest first.",
    )
    async def refunds(self, info: Info, invoice_id: strawberry.ID) -> list[RefundModel]:
        found_id = row_id(invoice_id)
        invoice = None if found_id is None else await invoice_loaders(info).invoice.load(found_id)
        if invoice is None:
            return []
        require_visible(info, invoice.customer_id, f"invoice {invoice_id}")
        assert invoice.id is not None
        invoice_id_ = invoice.id
        return await info.context.run(lambda s: of_invoice(s, invoice_id_))
