"""Every successful mutation writes an audit line in the same transaction as its work.

The extension wraps the root fields of ``Mutation``: after the resolver returns a payload (not
a typed error), it describes the action in plain words and records it through the operation's
own session, so the UnitOfWork commits both or neither. The actor is the console operator,
the API key (by name) or the customer token that called.
"""

from __future__ import annotations

from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.extensions import SchemaExtension

from app.audit import service as audit
from app.audit.models import ActorKind
from app.audit.service import Actor
from graphql_schema.audit import catalog
from graphql_schema.audit.describe import UNAUDITED, describe
from graphql_schema.context import Context
from graphql_schema.errors import Error

catalog.install()


def actor_of(context: Context) -> Actor:
    if context.operator is not None:
        return Actor(ActorKind.OPERATOR, context.operator.email, str(context.operator.id))
    principal = context.principal
    if principal is None:
        return Actor(ActorKind.SYSTEM, "system")
    if principal.customer_id is not None:
        external_id = principal.customer_external_id or str(principal.customer_id)
        return Actor(ActorKind.CUSTOMER, f"customer {external_id}", external_id)
    return Actor(ActorKind.API_KEY, principal.name, str(principal.key_id))


class AuditTrail(SchemaExtension):
    def resolve(
        self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any
    ) -> Any:
        result = _next(root, info, *args, **kwargs)
        if info.parent_type is not info.schema.mutation_type or info.field_name in UNAUDITED:
            return result
        return _audited(result, info, kwargs)


async def _audited(result: Any, info: GraphQLResolveInfo[Any], args: dict[str, Any]) -> Any:
    payload = await result if isawaitable(result) else result
    context = info.context
    if payload is None or isinstance(payload, Error) or not isinstance(context, Context):
        return payload
    actor, field = actor_of(context), info.field_name

    async def write(session: AsyncSession) -> None:
        action = await describe(field, session, actor, args, payload)
        if action is not None:
            await audit.record(session, actor, action, context.now)

    await context.run(write)
    return payload
