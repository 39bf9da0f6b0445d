from __future__ import annotations

import strawberry

from app.operators import repository
from graphql_schema.context import Info
from graphql_schema.operators.types import Operator
from graphql_schema.permissions import IsAdmin


@strawberry.type
class OperatorQueries:
    @strawberry.field(permission_classes=[IsAdmin], description="Console operators, oldest first.")
    async def operators(self, info: Info) -> list[Operator]:
        return [Operator(model=o) for o in await info.context.run(repository.listing)]
