"""The console's only way to data: the GraphQL schema, executed in-process.

Every document the console sends is registered with ``operation`` when its module is imported;
``Console`` sends no other, and ``tests/console/test_operations.py`` validates every registered
one against the schema, so a schema change that breaks a page fails in CI, not in a browser.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from graphql import GraphQLError
from strawberry.schema.schema import SubscriptionResult

from app.access.service import Principal
from app.runtime import Runtime
from graphql_schema.context import Context, OperatorIdentity
from graphql_schema.schema import Schema

log = logging.getLogger("tally.console")

ERROR_FIELDS = "__typename ... on Error { code message field }"
UNEXPECTED = (
    "Something went wrong on our side and nothing was changed. Try again; if it keeps "
    "happening, tell your engineering team."
)
OPERATIONS: dict[str, None] = {}  # every document the console sends, in import order


def operation(document: str) -> str:
    """Register a GraphQL document the console sends, and return it."""
    OPERATIONS[document] = None
    return document


@dataclass(frozen=True)
class Caller:
    """Whom the console acts for: a logged-in operator, or a portal link's customer."""

    principal: Principal
    operator: OperatorIdentity | None = None

    @property
    def is_admin(self) -> bool:
        return self.operator is not None and self.operator.role == "admin"


@dataclass(frozen=True)
class Problem:
    """A typed error from a mutation: show ``message`` next to ``field``."""

    code: str
    message: str
    field: str | None


class Refused(Exception):
    """The schema refused the whole operation (permissions, or an unexpected failure)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Failure = Refused | Problem


def problem(payload: dict[str, Any] | None) -> Problem | None:
    """The typed error a mutation returned, or None when it succeeded."""
    if payload and "code" in payload and "message" in payload:
        return Problem(payload["code"], payload["message"], payload.get("field"))
    return None


def plain(error: GraphQLError, caller: Caller) -> str:
    message = error.message
    if "lacks the 'admin' scope" in message and caller.operator is not None:
        return (
            f"Your role ({caller.operator.role}) can look but not change anything. "
            "Ask an admin to do this."
        )
    if "link/session cannot" in message:
        return "This link cannot do that. Ask your account manager."
    if "lacks the" in message or "not visible" in message:
        return "You are not allowed to see or do this."
    if message == "Unexpected error.":
        return UNEXPECTED
    return message[0].upper() + message[1:] if message else UNEXPECTED


def registered(document: str) -> str:
    if document not in OPERATIONS:
        raise LookupError("The console sends only documents registered with operation().")
    return document


class Console:
    def __init__(self, runtime: Runtime, schema: Schema) -> None:
        self.runtime = runtime
        self.schema = schema

    def has_query(self, field: str) -> bool:
        """Does the schema offer this query? (Pages appear as the API grows.)"""
        query = self.schema._schema.query_type
        return query is not None and field in query.fields

    def has_mutation(self, field: str) -> bool:
        mutation = self.schema._schema.mutation_type
        return mutation is not None and field in mutation.fields

    def context(self, caller: Caller) -> Context:
        return Context(self.runtime, caller.principal, operator=caller.operator)

    async def execute(
        self, caller: Caller, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run one operation as ``caller``; return ``data`` or raise ``Refused``."""
        result = await self.schema.execute(
            registered(query), variable_values=variables, context_value=self.context(caller)
        )
        if result.errors:
            raise Refused(plain(result.errors[0], caller))
        assert result.data is not None
        return result.data


@dataclass(frozen=True)
class Api:
    """The schema as one caller uses it: what a page reads and changes through."""

    console: Console
    caller: Caller

    @property
    def is_admin(self) -> bool:
        return self.caller.is_admin

    def now(self) -> datetime:
        return self.console.runtime.clock.now()

    async def execute(
        self, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await self.console.execute(self.caller, document, variables)

    async def attempt(
        self, document: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any] | Failure:
        """The payload of the document's one root field, or why there is none: the typed
        error it answered, or the schema's refusal."""
        try:
            data = await self.execute(document, variables)
        except Refused as error:
            return error
        payload: dict[str, Any] = next(iter(data.values()))
        failed = problem(payload)
        return payload if failed is None else failed

    async def subscribe(self, document: str, variables: dict[str, Any]) -> SubscriptionResult:
        return await self.console.schema.subscribe(
            registered(document),
            variable_values=variables,
            context_value=self.console.context(self.caller),
        )
