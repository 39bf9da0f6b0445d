from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.invoicing.models import Invoice as InvoiceModel
from app.invoicing.models import InvoiceLine as LineModel
from graphql_schema.context import Info
from graphql_schema.invoices.loaders import invoice_loaders
from graphql_schema.wallets.types import Money

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer
    from graphql_schema.payments.types import Payment
    from graphql_schema.plans.subscriptions import PlanSubscription


def plain(value: Decimal) -> Decimal:
    """``Decimal("5000.000000")`` -> ``Decimal("5000")`` (no exponent, no trailing zeros)."""
    return Decimal(f"{value.normalize():f}")


@strawberry.enum
class InvoiceType(Enum):
    CREDIT_PURCHASE = "credit_purchase"
    THRESHOLD = "threshold"
    PERIOD_END = "period_end"


@strawberry.enum
class InvoiceStatus(Enum):
    DRAFT = "draft"
    FINALIZED = "finalized"
    PAID = "paid"
    VOID = "void"


@strawberry.enum
class InvoicePaymentStatus(Enum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@strawberry.type(description="One line: quantity × unit price × (1 − discount), rounded once.")
class InvoiceLine:
    model: strawberry.Private[LineModel]
    currency: strawberry.Private[str]

    @strawberry.field
    def description(self) -> str:
        return self.model.description

    @strawberry.field
    def quantity(self) -> Decimal:
        return plain(self.model.quantity)

    @strawberry.field(description="In major units of the invoice's currency (may be fractional).")
    def unit_price(self) -> Decimal:
        return plain(self.model.unit_price)

    @strawberry.field(description='A percentage, e.g. "5" for 5 % off.')
    def discount_percent(self) -> Decimal:
        return plain(self.model.discount_percent)

    @strawberry.field
    def amount(self) -> Money:
        return Money.of(self.model.amount_minor, self.currency)


@strawberry.type(description="What a customer owes, line by line.")
class Invoice:
    model: strawberry.Private[InvoiceModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field(description='Gapless, given at finalization ("TLY-000042").')
    def number(self) -> str | None:
        return self.model.number

    @strawberry.field
    def type(self) -> InvoiceType:
        return InvoiceType(self.model.type.value)

    @strawberry.field
    def status(self) -> InvoiceStatus:
        return InvoiceStatus(self.model.status.value)

    @strawberry.field
    def payment_status(self) -> InvoicePaymentStatus:
        return InvoicePaymentStatus(self.model.payment_status.value)

    @strawberry.field
    def currency(self) -> str:
        return self.model.currency

    @strawberry.field
    def total(self) -> Money:
        return Money.of(self.model.total_minor, self.model.currency)

    @strawberry.field
    async def lines(self, info: Info) -> list[InvoiceLine]:
        assert self.model.id is not None
        rows = await invoice_loaders(info).lines.load(self.model.id)
        return [InvoiceLine(model=row, currency=self.model.currency) for row in rows]

    @strawberry.field
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("graphql_schema.customers.types")]:
        from graphql_schema.customers.types import Customer

        found = await info.context.loaders.customer.load(self.model.customer_id)
        assert found is not None
        return Customer(model=found)

    @strawberry.field(description="The wallet a credit purchase fills.")
    def wallet_id(self) -> strawberry.ID | None:
        return strawberry.ID(str(self.model.wallet_id)) if self.model.wallet_id else None

    @strawberry.field(description="Attempts to collect it, oldest first.")
    async def payments(
        self, info: Info
    ) -> list[Annotated[Payment, strawberry.lazy("graphql_schema.payments.types")]]:
        from graphql_schema.payments.types import Payment

        assert self.model.id is not None
        rows = await invoice_loaders(info).payments.load(self.model.id)
        return [Payment(model=row) for row in rows]

    @strawberry.field
    def finalized_at(self) -> datetime | None:
        return self.model.finalized_at

    @strawberry.field(description="Finalization plus the net terms.")
    def due_at(self) -> datetime | None:
        return self.model.due_at

    @strawberry.field
    def paid_at(self) -> datetime | None:
        return self.model.paid_at

    @strawberry.field
    def voided_at(self) -> datetime | None:
        return self.model.voided_at

    @strawberry.field
    def void_reason(self) -> str | None:
        return self.model.void_reason

    @strawberry.field(description="The subscription a usage invoice (threshold, period end) bills.")
    async def subscription(
        self, info: Info
    ) -> Annotated[PlanSubscription, strawberry.lazy("graphql_schema.plans.subscriptions")] | None:
        from graphql_schema.plans.loaders import plan_loaders
        from graphql_schema.plans.subscriptions import PlanSubscription

        if self.model.subscription_id is None:
            return None
        found = await plan_loaders(info).subscription.load(self.model.subscription_id)
        return PlanSubscription(model=found) if found is not None else None

    @strawberry.field(description="The billing period a usage invoice bills.")
    def period_start(self) -> datetime | None:
        return self.model.period_start

    @strawberry.field
    def period_end(self) -> datetime | None:
        return self.model.period_end

    @strawberry.field(description="The usage threshold a threshold invoice was issued at.")
    def threshold(self) -> Money | None:
        minor = self.model.threshold_minor
        return Money.of(minor, self.model.currency) if minor is not None else None

    @strawberry.field(description="Credits taken from the wallet to pay it.")
    def credits_paid(self) -> Decimal | None:
        paid = self.model.credits_paid
        return plain(paid) if paid is not None else None

    @strawberry.field(description="When it was found unpaid past its due date.")
    def overdue_at(self) -> datetime | None:
        return self.model.overdue_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at
