"""An email as the API shows it, read from ``app.notifications.models.Email`` (plain fields by
attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Parent

from app.customers.models import Customer as CustomerModel
from app.notifications.models import Email as EmailModel
from app.notifications.models import EmailStatus
from graphql_schema.context import Info
from graphql_schema.fields import Reads

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer

strawberry.enum(EmailStatus, description="What became of an email.")


async def _customer(email: Parent[EmailModel], info: Info) -> CustomerModel | None:
    if email.customer_id is None:
        return None
    return await info.context.loaders.customer.load(email.customer_id)


@strawberry.type(description="An email Tally wrote: to whom, what, and whether it went out.")
class Email:
    is_type_of = Reads(EmailModel)

    id: strawberry.ID
    to_address: str = strawberry.field(
        name="to", description="Empty when there was no one to send it to (see lastError)."
    )
    subject: str
    template: str = strawberry.field(
        description="alert_triggered, wallet_depleted, invoice_created, ..."
    )
    status: EmailStatus = strawberry.field(
        description="QUEUED (waiting for an attempt), SENT, FAILED (given up) or RECORDED "
        "(no SMTP server configured: kept here, never sent)."
    )
    attempts: int
    last_error: str | None = strawberry.field(
        description="Why the latest attempt failed, or why it cannot be sent."
    )
    next_attempt_at: datetime | None
    created_at: datetime
    sent_at: datetime | None
    text_body: str
    html_body: str
    customer: CustomerModel | None = strawberry.field(
        resolver=_customer,
        graphql_type=Annotated["Customer", strawberry.lazy("graphql_schema.customers.types")]
        | None,
    )
