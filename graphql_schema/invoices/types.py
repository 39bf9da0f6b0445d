"""Invoices and their lines as the API shows them, read from ``app.invoices.models`` (plain
fields by attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Parent

from app.customers.models import Customer as CustomerModel
from app.flows.invoice_documents import pdf_link
from app.invoices.models import Invoice as InvoiceModel
from app.invoices.models import InvoiceLine as LineModel
from app.invoices.models import InvoicePaymentStatus, InvoiceStatus, InvoiceType
from app.payments.models import Payment as PaymentModel
from app.plans.models import Subscription as SubscriptionModel
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.invoices.loaders import invoice_loaders
from graphql_schema.money import Money, plain

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer
    from graphql_schema.payments.types import Payment
    from graphql_schema.plans.subscriptions import PlanSubscription

strawberry.enum(InvoiceType)
strawberry.enum(InvoiceStatus)
strawberry.enum(InvoicePaymentStatus)


def _quantity(line: Parent[LineModel]) -> Decimal:
    return plain(line.quantity)


def _unit_price(line: Parent[LineModel]) -> Decimal:
    return plain(line.unit_price)


def _discount_percent(line: Parent[LineModel]) -> Decimal:
    return plain(line.discount_percent)


async def _amount(line: Parent[LineModel], info: Info) -> Money:
    """In the invoice's currency (its invoice is in the loader: ``Invoice.lines`` put it there)."""
    invoice = await invoice_loaders(info).invoice.load(line.invoice_id)
    assert invoice is not None
    return Money.of(line.amount_minor, invoice.currency)


@strawberry.type(description="One line: quantity × unit price × (1 − discount), rounded once.")
class InvoiceLine:
    is_type_of = Reads(LineModel)

    description: str
    quantity: Decimal = strawberry.field(resolver=_quantity)
    unit_price: Decimal = strawberry.field(
        resolver=_unit_price,
        description="In major units of the invoice's currency (may be fractional).",
    )
    discount_percent: Decimal = strawberry.field(
        resolver=_discount_percent, description='A percentage, e.g. "5" for 5 % off.'
    )
    amount: Money = strawberry.field(resolver=_amount)


def _total(invoice: Parent[InvoiceModel]) -> Money:
    return Money.of(invoice.total_minor, invoice.currency)


async def _lines(invoice: Parent[InvoiceModel], info: Info) -> list[LineModel]:
    assert invoice.id is not None
    loaders = invoice_loaders(info)
    loaders.invoice.prime(invoice.id, invoice)  # its lines' amounts are in its currency
    return await loaders.lines.load(invoice.id)


async def _customer(invoice: Parent[InvoiceModel], info: Info) -> CustomerModel:
    found = await info.context.loaders.customer.load(invoice.customer_id)
    assert found is not None
    return found


async def _payments(invoice: Parent[InvoiceModel], info: Info) -> list[PaymentModel]:
    assert invoice.id is not None
    return await invoice_loaders(info).payments.load(invoice.id)


async def _subscription(invoice: Parent[InvoiceModel], info: Info) -> SubscriptionModel | None:
    from graphql_schema.plans.loaders import plan_loaders

    if invoice.subscription_id is None:
        return None
    return await plan_loaders(info).subscription.load(invoice.subscription_id)


def _pdf_url(invoice: Parent[InvoiceModel], info: Info) -> str:
    assert invoice.id is not None
    context = info.context
    return pdf_link(context.runtime.settings, invoice.id, context.now)


def _threshold(invoice: Parent[InvoiceModel]) -> Money | None:
    minor = invoice.threshold_minor
    return Money.of(minor, invoice.currency) if minor is not None else None


def _credits_paid(invoice: Parent[InvoiceModel]) -> Decimal | None:
    paid = invoice.credits_paid
    return plain(paid) if paid is not None else None


@strawberry.type(description="What a customer owes, line by line.")
class Invoice:
    is_type_of = Reads(InvoiceModel)

    id: strawberry.ID
    number: str | None = strawberry.field(
        description='Gapless, given at finalization ("TLY-000042").'
    )
    type: InvoiceType
    status: InvoiceStatus
    payment_status: InvoicePaymentStatus
    currency: str
    total: Money = strawberry.field(resolver=_total)
    lines: list[LineModel] = strawberry.field(resolver=_lines, graphql_type=list[InvoiceLine])
    customer: CustomerModel = strawberry.field(
        resolver=_customer,
        graphql_type=Annotated["Customer", strawberry.lazy("graphql_schema.customers.types")],
    )
    wallet_id: strawberry.ID | None = strawberry.field(
        description="The wallet a credit purchase fills."
    )
    payments: list[PaymentModel] = strawberry.field(
        resolver=_payments,
        graphql_type=list[Annotated["Payment", strawberry.lazy("graphql_schema.payments.types")]],
        description="Attempts to collect it, oldest first.",
    )
    finalized_at: datetime | None
    due_at: datetime | None = strawberry.field(description="Finalization plus the net terms.")
    paid_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    subscription: SubscriptionModel | None = strawberry.field(
        resolver=_subscription,
        graphql_type=Annotated[
            "PlanSubscription", strawberry.lazy("graphql_schema.plans.subscriptions")
        ]
        | None,
        description="The subscription a usage invoice (threshold, period end) bills.",
    )
    period_start: datetime | None = strawberry.field(
        description="The billing period a usage invoice bills."
    )
    period_end: datetime | None
    threshold: Money | None = strawberry.field(
        resolver=_threshold,
        description="The usage threshold a threshold invoice was issued at.",
    )
    credits_paid: Decimal | None = strawberry.field(
        resolver=_credits_paid, description="Credits taken from the wallet to pay it."
    )
    overdue_at: datetime | None = strawberry.field(
        description="When it was found unpaid past its due date."
    )
    created_at: datetime
    pdf_url: str = strawberry.field(
        resolver=_pdf_url,
        description="The invoice's PDF, a signed link that works without credentials for "
        "TALLY_DOCUMENT_LINK_TTL_SECONDS (5 minutes): ask for it when the link is followed. "
        "Drafts carry a DRAFT watermark, void invoices VOID. With credentials: "
        "`GET /v1/invoices/{id}/pdf`.",
    )
