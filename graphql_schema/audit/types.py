from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from app.audit.models import AuditEntry as AuditEntryModel


@strawberry.type(description="One action in the audit log, in plain words.")
class AuditEntry:
    model: strawberry.Private[AuditEntryModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="operator, api_key, customer or system.")
    def actor_kind(self) -> str:
        return str(self.model.actor_kind)

    @strawberry.field(description="The operator's email, the API key's name, or the customer.")
    def actor_name(self) -> str:
        return self.model.actor_name

    @strawberry.field(description='The mutation, e.g. "grantCredits".')
    def action(self) -> str:
        return self.model.action

    @strawberry.field
    def customer_external_id(self) -> str | None:
        return self.model.customer_external_id

    @strawberry.field(
        description='"admin@tally.test granted 500 credits to Acme Corp — reason: goodwill".'
    )
    def summary(self) -> str:
        return self.model.summary

    @strawberry.field
    def reason(self) -> str | None:
        return self.model.reason

    @strawberry.field(description="The request's input (passwords and secrets hidden).")
    def details(self) -> JSON:
        return cast(JSON, self.model.details)
