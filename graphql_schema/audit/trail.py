"""Every successful mutation writes an audit line in the same transaction as its work.

The extension wraps the root fields of ``Mutation``: after the resolver returns a payload (not
a typed error), it describes the action in plain words and records it through the operation's
own session, so the UnitOfWork commits both or neither. The actor is the console operator,
the API key (by name) or the customer token that called.
"""

from __future__ import annotations

from dataclasses import replace
from inspect import isawaitable
from typing import Any

from graphql import GraphQLResolveInfo
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.extensions import SchemaExtension

from app.audit import service as audit
from app.audit.models import ActorKind
from app.audit.service import Action, Actor
from graphql_schema.audit import catalog
from graphql_schema.audit.changes import READERS, changed
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
        if info.parent_type is not info.schema.mutation_type or info.field_name in UNAUDITED:
            return _next(root, info, *args, **kwargs)
        if info.field_name in READERS and isinstance(info.context, Context):
            return _changing(_next, root, info, args, kwargs)
        return _audited(_next(root, info, *args, **kwargs), info, kwargs)


async def _changing(
    _next: Any, root: Any, info: GraphQLResolveInfo[Any], args: Any, kwargs: dict[str, Any]
) -> Any:
    """Read what the mutation changes before it runs, then audit it with before and after."""
    read = READERS[info.field_name]
    before = await info.context.run(lambda session: read(session, kwargs))
    return await _audited(_next(root, info, *args, **kwargs), info, kwargs, before)


async def _audited(
    result: Any,
    info: GraphQLResolveInfo[Any],
    args: dict[str, Any],
    before: dict[str, str] | None = None,
) -> Any:
    payload = await result if isawaitable(result) else result
    context = info.context
    if payload is None or isinstance(payload, Error) or not isinstance(context, Context):
        return payload
    actor, field = actor_of(context), info.field_name

    async def write(session: AsyncSession) -> None:
        action = await describe(field, session, actor, args, payload)
        if action is not None and before is not None:
            action = with_changes(action, before, await READERS[field](session, args))
        if action is not None:
            await audit.record(session, actor, action, context.now)

    await context.run(write)
    return payload


def with_changes(action: Action, before: dict[str, str], after: dict[str, str]) -> Action:
    """The action's sentence with what changed, old → new; both kept in its details."""
    words = changed(before, after)
    details = {**(action.details or {}), "before": before, "after": after}
    summary = f"{action.summary} — {words}" if words else action.summary
    return replace(action, summary=summary, details=details)
