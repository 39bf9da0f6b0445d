from __future__ import annotations

import strawberry

from app.operators import repository
from app.operators.models import Operator as OperatorModel
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.operators.types import Operator
from graphql_schema.permissions import IsAdmin


@strawberry.type
class OperatorQueries:
    @field(
        permission_classes=[IsAdmin],
        graphql_type=list[Operator],
        description="Console operators, oldest first.",
    )
    async def operators(self, info: Info) -> list[OperatorModel]:
        return await info.context.run(repository.listing)
