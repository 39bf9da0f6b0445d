from __future__ import annotations

from datetime import datetime
from enum import Enum

import strawberry

from app.operators.models import Operator as OperatorModel


@strawberry.enum(name="OperatorRole", description="admin acts; viewer only reads.")
class OperatorRole(Enum):
    ADMIN = "admin"
    VIEWER = "viewer"


@strawberry.type(description="A person who logs in to the console.")
class Operator:
    model: strawberry.Private[OperatorModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def email(self) -> str:
        return self.model.email

    @strawberry.field
    def role(self) -> OperatorRole:
        return OperatorRole(str(self.model.role))

    @strawberry.field
    def active(self) -> bool:
        return self.model.active

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field
    def last_login_at(self) -> datetime | None:
        return self.model.last_login_at

    @strawberry.field
    def disabled_at(self) -> datetime | None:
        return self.model.disabled_at
