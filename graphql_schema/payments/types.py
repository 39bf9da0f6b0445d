"""Payment methods and payments as the API shows them, read from ``app.payments.models`` (plain
fields by attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Parent

from app.invoices.models import Invoice as InvoiceModel
from app.payments.models import Payment as PaymentModel
from app.payments.models import PaymentMethod as MethodModel
from app.payments.models import PaymentStatus
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.invoices.loaders import invoice_loaders
from graphql_schema.money import Money

if TYPE_CHECKING:
    from graphql_schema.invoices.types import Invoice

strawberry.enum(PaymentStatus)


@strawberry.enum(description="Who collects the money.")
class PaymentProvider(Enum):
    """The API's own enum: the domain names providers as text (``app.payments.providers.NAMES``,
    the ``provider`` columns)."""

    SANDBOX = "sandbox"
    STRIPE = "stripe"


@strawberry.type(description="A way a customer pays, on file by reference (never card data).")
class PaymentMethod:
    is_type_of = Reads(MethodModel)

    id: strawberry.ID
    provider: PaymentProvider
    reference: str = strawberry.field(
        description='The provider\'s id ("pm_sandbox_ok", a Stripe "pm_…").'
    )
    provider_customer: str | None = strawberry.field(
        description='The provider\'s customer id (Stripe "cus_…"), if any.'
    )
    label: str
    is_default: bool
    created_at: datetime


def _amount(payment: Parent[PaymentModel]) -> Money:
    return Money.of(payment.amount_minor, payment.currency)


async def _payment_method(payment: Parent[PaymentModel], info: Info) -> MethodModel | None:
    return await invoice_loaders(info).method.load(payment.payment_method_id)


async def _invoice(payment: Parent[PaymentModel], info: Info) -> InvoiceModel:
    found = await invoice_loaders(info).invoice.load(payment.invoice_id)
    assert found is not None
    return found


@strawberry.type(description="One attempt to collect an invoice.")
class Payment:
    is_type_of = Reads(PaymentModel)

    id: strawberry.ID
    status: PaymentStatus
    provider: PaymentProvider
    provider_reference: str | None = strawberry.field(
        description="The provider's id for the charge (a PaymentIntent id)."
    )
    amount: Money = strawberry.field(resolver=_amount)
    failure_reason: str | None
    attempts: int = strawberry.field(description="How many times it was sent to the provider.")
    payment_method: MethodModel | None = strawberry.field(
        resolver=_payment_method, graphql_type=PaymentMethod | None
    )
    invoice: InvoiceModel = strawberry.field(
        resolver=_invoice,
        graphql_type=Annotated["Invoice", strawberry.lazy("graphql_schema.invoices.types")],
    )
    created_at: datetime
    settled_at: datetime | None
