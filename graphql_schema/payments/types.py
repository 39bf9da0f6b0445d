from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.payments.models import Payment as PaymentModel
from app.payments.models import PaymentMethod as MethodModel
from graphql_schema.context import Info
from graphql_schema.invoices.loaders import invoice_loaders
from graphql_schema.wallets.types import Money

if TYPE_CHECKING:
    from graphql_schema.invoices.types import Invoice


@strawberry.enum(description="Who collects the money.")
class PaymentProvider(Enum):
    SANDBOX = "sandbox"
    STRIPE = "stripe"


@strawberry.enum
class PaymentStatus(Enum):
    PENDING = "pending"
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@strawberry.type(description="A way a customer pays, on file by reference (never card data).")
class PaymentMethod:
    model: strawberry.Private[MethodModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def provider(self) -> PaymentProvider:
        return PaymentProvider(self.model.provider)

    @strawberry.field(description='The provider\'s id ("pm_sandbox_ok", a Stripe "pm_…").')
    def reference(self) -> str:
        return self.model.reference

    @strawberry.field(description='The provider\'s customer id (Stripe "cus_…"), if any.')
    def provider_customer(self) -> str | None:
        return self.model.provider_customer

    @strawberry.field
    def label(self) -> str:
        return self.model.label

    @strawberry.field
    def is_default(self) -> bool:
        return self.model.is_default

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at


@strawberry.type(description="One attempt to collect an invoice.")
class Payment:
    model: strawberry.Private[PaymentModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def status(self) -> PaymentStatus:
        return PaymentStatus(self.model.status.value)

    @strawberry.field
    def provider(self) -> PaymentProvider:
        return PaymentProvider(self.model.provider)

    @strawberry.field(description="The provider's id for the charge (a PaymentIntent id).")
    def provider_reference(self) -> str | None:
        return self.model.provider_reference

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.model.amount_minor, self.model.currency)

    @strawberry.field
    def failure_reason(self) -> str | None:
        return self.model.failure_reason

    @strawberry.field(description="How many times it was sent to the provider.")
    def attempts(self) -> int:
        return self.model.attempts

    @strawberry.field
    async def payment_method(self, info: Info) -> PaymentMethod | None:
        found = await invoice_loaders(info).method.load(self.model.payment_method_id)
        return PaymentMethod(model=found) if found is not None else None

    @strawberry.field
    async def invoice(
        self, info: Info
    ) -> Annotated[Invoice, strawberry.lazy("graphql_schema.invoices.types")]:
        from graphql_schema.invoices.types import Invoice

        found = await invoice_loaders(info).invoice.load(self.model.invoice_id)
        assert found is not None
        return Invoice(model=found)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def settled_at(self) -> datetime | None:
        return self.model.settled_at
