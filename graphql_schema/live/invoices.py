"""``invoiceUpdated``: every change of a customer's invoices, as it commits.

The changes come from the customer's live channel (``invoice.updated`` messages written by
``app.live.invoices`` in the transaction of each change); the subscription reads the
database only when it starts, to check access. An update's payload depends on nobody's
identity, so its rendering is shared by the customer's watchers
(``graphql_schema.live.sharing``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry.types.enum import has_enum_definition

from app.invoices.models import InvoicePaymentStatus, InvoiceStatus, InvoiceType
from app.live.invoices import TYPE, InvoiceChange, channel
from graphql_schema.context import Info
from graphql_schema.fields import subscription
from graphql_schema.live.access import visible_customer
from graphql_schema.live.sharing import shared
from graphql_schema.money import Money, plain
from graphql_schema.permissions import CanReadCustomer


def _describe_values(enum: type[Enum], descriptions: dict[str, str]) -> None:
    """Describe a domain enum's values in the schema: Strawberry reads value descriptions from
    ``strawberry.enum_value`` members, which the domain's enum has none of."""
    assert has_enum_definition(enum)
    for value in enum.__strawberry_definition__.values:
        value.description = descriptions.get(value.name)


strawberry.enum(InvoiceChange, description="What happened to an invoice.")
_describe_values(
    InvoiceChange,
    {
        "FINALIZED": "Issued: numbered and due (when `invoice.created` is sent).",
        "PAYMENT_FAILED": "Collecting it failed; it stays owed.",
        "OVERDUE": "Found unpaid past its due date.",
    },
)


def _time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _id(value: int | None) -> strawberry.ID | None:
    return None if value is None else strawberry.ID(str(value))


@strawberry.type(
    description="An invoice as it stood after a change (the fields of `Invoice` that need no "
    "further reading; query `invoice(id:)` for its lines and payments)."
)
class LiveInvoice:
    id: strawberry.ID
    number: str | None = strawberry.field(description="Gapless, given at finalization.")
    type: InvoiceType
    status: InvoiceStatus
    payment_status: InvoicePaymentStatus
    currency: str
    total: Money
    wallet_id: strawberry.ID | None = strawberry.field(
        description="The wallet a credit purchase fills."
    )
    subscription_id: strawberry.ID | None = strawberry.field(
        description="The subscription a usage invoice (threshold, period end) bills."
    )
    finalized_at: datetime | None
    due_at: datetime | None = strawberry.field(description="Finalization plus the net terms.")
    paid_at: datetime | None
    voided_at: datetime | None
    void_reason: str | None
    overdue_at: datetime | None = strawberry.field(
        description="When it was found unpaid past its due date."
    )
    period_start: datetime | None = strawberry.field(
        description="The billing period a usage invoice bills."
    )
    period_end: datetime | None
    threshold: Money | None = strawberry.field(
        description="The usage threshold a threshold invoice was issued at."
    )
    credits_paid: Decimal | None = strawberry.field(
        description="Credits taken from the wallet to pay it."
    )
    created_at: datetime

    @classmethod
    def of(cls, invoice: dict[str, Any]) -> LiveInvoice:
        currency = invoice["currency"]
        threshold, credits = invoice["threshold_minor"], invoice["credits_paid"]
        return cls(
            id=strawberry.ID(str(invoice["id"])),
            number=invoice["number"],
            type=InvoiceType(invoice["type"]),
            status=InvoiceStatus(invoice["status"]),
            payment_status=InvoicePaymentStatus(invoice["payment_status"]),
            currency=currency,
            total=Money.of(invoice["total_minor"], currency),
            wallet_id=_id(invoice["wallet_id"]),
            subscription_id=_id(invoice["subscription_id"]),
            finalized_at=_time(invoice["finalized_at"]),
            due_at=_time(invoice["due_at"]),
            paid_at=_time(invoice["paid_at"]),
            voided_at=_time(invoice["voided_at"]),
            void_reason=invoice["void_reason"],
            overdue_at=_time(invoice["overdue_at"]),
            period_start=_time(invoice["period_start"]),
            period_end=_time(invoice["period_end"]),
            threshold=Money.of(threshold, currency) if threshold is not None else None,
            credits_paid=plain(Decimal(credits)) if credits is not None else None,
            created_at=datetime.fromisoformat(invoice["created_at"]),
        )


@strawberry.type(description="A change of one of a customer's invoices.")
class InvoiceUpdate:
    customer_id: strawberry.ID
    change: InvoiceChange
    invoice: LiveInvoice
    failure_reason: str | None = strawberry.field(
        description="Why collecting it failed (with `PAYMENT_FAILED`)."
    )
    committed_at: datetime = strawberry.field(description="When the change committed.")

    @classmethod
    def of(cls, message: dict[str, Any]) -> InvoiceUpdate:
        return cls(
            customer_id=strawberry.ID(str(message["customer_id"])),
            change=InvoiceChange(message["change"]),
            invoice=LiveInvoice.of(message["invoice"]),
            failure_reason=message["failure_reason"],
            committed_at=datetime.fromisoformat(message["committed_at"]),
        )


@strawberry.type
class InvoiceSubscriptions:
    @subscription(
        permission_classes=[CanReadCustomer],
        description="Every change of the customer's invoices from now on — finalized "
        "(credit-purchase, threshold and period-end invoices alike), paid, payment failed, "
        "voided, overdue — each with the invoice as it stands after it, in commit order. "
        "Never coalesced.",
    )
    async def invoice_updated(
        self, info: Info, customer_id: strawberry.ID
    ) -> AsyncGenerator[InvoiceUpdate, None]:
        customer = await visible_customer(info, customer_id)
        async with info.context.runtime.bus.subscribe(channel(customer)) as inbox:
            while True:
                message = await inbox.next()
                if message.get("type") == TYPE:
                    yield shared(message, InvoiceUpdate.of)  # the same for every watcher
