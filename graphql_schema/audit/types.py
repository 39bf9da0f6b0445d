"""An audit line as the API shows it, read from ``app.audit.models.AuditEntry`` (plain fields by
attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.audit.models import AuditEntry as AuditEntryModel
from graphql_schema.fields import Reads


@strawberry.type(description="One action in the audit log, in plain words.")
class AuditEntry:
    is_type_of = Reads(AuditEntryModel)

    id: strawberry.ID
    created_at: datetime
    actor_kind: str = strawberry.field(description="operator, api_key, customer or system.")
    actor_name: str = strawberry.field(
        description="The operator's email, the API key's name, or the customer."
    )
    action: str = strawberry.field(description='The mutation, e.g. "grantCredits".')
    customer_external_id: str | None
    summary: str = strawberry.field(
        description='"admin@tally.test granted 500 credits to Acme Corp — reason: goodwill".'
    )
    reason: str | None
    details: JSON = strawberry.field(
        description="The request's input (passwords and secrets hidden)."
    )
