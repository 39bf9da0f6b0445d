from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.notifications.models import Email as EmailModel
from graphql_schema.context import Info

if TYPE_CHECKING:
    from graphql_schema.customers.types import Customer


@strawberry.enum(description="What became of an email.")
class EmailStatus(Enum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    RECORDED = "recorded"


@strawberry.type(description="An email Tally wrote: to whom, what, and whether it went out.")
class Email:
    model: strawberry.Private[EmailModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field(description="Empty when there was no one to send it to (see lastError).")
    def to(self) -> str:
        return self.model.to_address

    @strawberry.field
    def subject(self) -> str:
        return self.model.subject

    @strawberry.field(description="alert_triggered, wallet_depleted, invoice_created, ...")
    def template(self) -> str:
        return self.model.template

    @strawberry.field(
        description="QUEUED (waiting for an attempt), SENT, FAILED (given up) or RECORDED "
        "(no SMTP server configured: kept here, never sent)."
    )
    def status(self) -> EmailStatus:
        return EmailStatus(self.model.status.value)

    @strawberry.field
    def attempts(self) -> int:
        return self.model.attempts

    @strawberry.field(description="Why the latest attempt failed, or why it cannot be sent.")
    def last_error(self) -> str | None:
        return self.model.last_error

    @strawberry.field
    def next_attempt_at(self) -> datetime | None:
        return self.model.next_attempt_at

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def sent_at(self) -> datetime | None:
        return self.model.sent_at

    @strawberry.field
    def text_body(self) -> str:
        return self.model.text_body

    @strawberry.field
    def html_body(self) -> str:
        return self.model.html_body

    @strawberry.field
    async def customer(
        self, info: Info
    ) -> Annotated[Customer, strawberry.lazy("graphql_schema.customers.types")] | None:
        from graphql_schema.customers.types import Customer

        if self.model.customer_id is None:
            return None
        found = await info.context.loaders.customer.load(self.model.customer_id)
        return Customer(model=found) if found else None
