from __future__ import annotations

import strawberry

from app.customers import repository as customers
from app.invoices import repository
from app.invoices.models import Invoice as InvoiceModel
from app.invoices.models import InvoiceStatus, InvoiceType
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.invoices.loaders import invoice_loaders
from graphql_schema.invoices.types import Invoice
from graphql_schema.pagination import Connection, Page, paged, row_id
from graphql_schema.permissions import CanReadCustomer, require_visible


async def _customer_id(info: Info, external_id: str | None) -> int | None:
    """The customer to list for: the one named, else a customer token's own, else all."""
    principal = info.context.principal
    if external_id is None:
        return principal.customer_id if principal is not None else None
    customer = await info.context.run(
        lambda s: customers.get_by_external_id(s, external_id, "customerExternalId")
    )
    assert customer.id is not None
    require_visible(info, customer.id, f"customer {external_id}")
    return customer.id


@strawberry.type
class InvoiceQueries:
    @field(
        permission_classes=[CanReadCustomer],
        graphql_type=Connection[Invoice],
        description="Invoices, newest first; by customer, status, type or subscription.",
    )
    async def invoices(
        self,
        info: Info,
        customer_external_id: str | None = None,
        status: InvoiceStatus | None = None,
        first: int = 50,
        after: str | None = None,
        type: InvoiceType | None = None,
        subscription_id: strawberry.ID | None = None,
    ) -> Connection[InvoiceModel]:
        async def fetch(page: Page[int]) -> list[InvoiceModel]:
            customer_id = await _customer_id(info, customer_external_id)
            subscription = row_id(subscription_id) if subscription_id is not None else None
            if subscription_id is not None and subscription is None:
                return []
            return await info.context.run(
                lambda s: repository.page(
                    s,
                    customer_id=customer_id,
                    status=status,
                    before_id=page.after,
                    limit=page.limit,
                    type=type,
                    subscription_id=subscription,
                )
            )

        return await paged(first, after, fetch)

    @field(permission_classes=[CanReadCustomer], graphql_type=Invoice | None)
    async def invoice(self, info: Info, id: strawberry.ID) -> InvoiceModel | None:
        invoice_id = row_id(id)
        if invoice_id is None:
            return None
        found = await invoice_loaders(info).invoice.load(invoice_id)
        if found is None:
            return None
        require_visible(info, found.customer_id, f"invoice {id}")
        return found
