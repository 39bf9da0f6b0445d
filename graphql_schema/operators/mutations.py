from __future__ import annotations

from typing import Annotated, Any, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.audit.service import Action, Actor
from app.errors import NotFound
from app.operators import service
from app.operators.models import Operator as OperatorModel
from app.operators.models import Role
from graphql_schema.audit.describe import register
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.operators.types import Operator
from graphql_schema.pagination import row_id
from graphql_schema.permissions import IsAdmin


@strawberry.input
class CreateOperatorInput:
    email: str
    password: str = strawberry.field(description="At least 10 characters; stored as a hash.")
    role: Role = Role.VIEWER


@strawberry.type
class OperatorPayload:
    operator: OperatorModel = strawberry.field(graphql_type=Operator)


OperatorResult: TypeAlias = Annotated[OperatorPayload | Failure, strawberry.union("OperatorResult")]


def _operator_id(value: strawberry.ID) -> int:
    found = row_id(value)
    if found is None:
        raise NotFound("id", f"no operator with id {value}")
    return found


@strawberry.type
class OperatorMutations:
    @mutation(permission_classes=[IsAdmin], description="Add a console operator.")
    async def create_operator(self, info: Info, input: CreateOperatorInput) -> OperatorResult:
        now = info.context.now

        async def work(session: AsyncSession) -> OperatorPayload:
            created = await service.create(session, input.email, input.password, input.role, now)
            return OperatorPayload(operator=created)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdmin],
        description="Stop an operator from logging in (their open sessions end at once). "
        "The last active admin cannot be disabled.",
    )
    async def disable_operator(self, info: Info, id: strawberry.ID) -> OperatorResult:
        return await _set_disabled(info, id, disabled=True)

    @mutation(permission_classes=[IsAdmin], description="Let an operator log in again.")
    async def enable_operator(self, info: Info, id: strawberry.ID) -> OperatorResult:
        return await _set_disabled(info, id, disabled=False)


async def _set_disabled(info: Info, id: strawberry.ID, *, disabled: bool) -> OperatorResult:
    now = info.context.now

    async def work(session: AsyncSession) -> OperatorPayload:
        changed = await service.set_disabled(session, _operator_id(id), disabled, now)
        return OperatorPayload(operator=changed)

    return await attempt(info, work)


def _describer(field: str, verb: str) -> Any:
    async def describe(
        session: AsyncSession, actor: Actor, args: dict[str, Any], payload: Any
    ) -> Action:
        operator: OperatorModel = payload.operator
        role = f" as {operator.role}" if verb == "added" else ""
        return Action(
            action=field,
            summary=f"{actor.words()} {verb} the operator {operator.email}{role}",
            details={"id": operator.id, "email": operator.email, "role": str(operator.role)},
        )

    return describe


register("createOperator", _describer("createOperator", "added"))
register("disableOperator", _describer("disableOperator", "disabled"))
register("enableOperator", _describer("enableOperator", "enabled"))
