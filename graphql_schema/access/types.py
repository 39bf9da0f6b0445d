"""An API key as the API shows it, read from ``app.access.models.ApiKey`` (plain fields by
attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.access.models import ApiKey as ApiKeyModel
from graphql_schema.fields import Reads


@strawberry.type(description="An API key. Its secret is shown once, when it is created.")
class ApiKey:
    is_type_of = Reads(ApiKeyModel)

    id: strawberry.ID
    name: str
    prefix: str = strawberry.field(description="The first characters of the key, to recognise it.")
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
