from __future__ import annotations

from datetime import datetime

import strawberry

from app.access.models import ApiKey as ApiKeyModel


@strawberry.type(description="An API key. Its secret is shown once, when it is created.")
class ApiKey:
    model: strawberry.Private[ApiKeyModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="The first characters of the key, to recognise it.")
    def prefix(self) -> str:
        return self.model.prefix

    @strawberry.field
    def scopes(self) -> list[str]:
        return list(self.model.scopes)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def revoked_at(self) -> datetime | None:
        return self.model.revoked_at
