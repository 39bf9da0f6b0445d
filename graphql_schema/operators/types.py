"""A console operator as the API shows it, read from ``app.operators.models.Operator`` (plain
fields by attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime

import strawberry

from app.operators.models import Operator as OperatorModel
from app.operators.models import Role
from graphql_schema.fields import Reads

strawberry.enum(Role, name="OperatorRole", description="admin acts; viewer only reads.")


@strawberry.type(description="A person who logs in to the console.")
class Operator:
    is_type_of = Reads(OperatorModel)

    id: strawberry.ID
    email: str
    role: Role
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    disabled_at: datetime | None
