"""A query text, prepared once: parsed within the length and token limits, measured against
the other limits, and validated by graphql-core only when it is within them. The outcome is
either the document or the errors that refuse it — a refused document is not kept (a
fragment bomb's tree stays out of the caches and out of the garbage collector's way). What
depends on a request's variables — a `first` given as a variable, and then the cost — is
checked per request (``Prepared.for_request``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    OperationDefinitionNode,
    get_operation_ast,
    parse,
)
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.schema.schema import validate_document

from graphql_schema.limits.config import MAX_PAGE, Limits
from graphql_schema.limits.refusals import page_too_large, refusals, too_costly, typed
from graphql_schema.limits.shape import Measure

Rules = tuple[type[ASTValidationRule], ...]


@dataclass(frozen=True)
class Prepared:
    """``document``, or None and the ``errors`` that refuse it. ``page_variables``: per
    operation (by name), the variables it gives as `first`."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...] = ()
    page_variables: Mapping[str | None, frozenset[str]] = field(default_factory=dict)

    def for_request(
        self,
        schema: GraphQLSchema,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        limits: Limits,
    ) -> list[GraphQLError]:
        """What refuses this request: the document's errors, or its variables'."""
        if self.document is None:
            return list(self.errors)
        operation = get_operation_ast(self.document, operation_name)
        if operation is None or not self.page_variables.get(_name(operation)):
            return []
        pages = _pages(operation, self.page_variables[_name(operation)], variables or {})
        if any(value > MAX_PAGE for value in pages.values()):
            return [page_too_large()]
        cost = Measure(schema, self.document, pages).operation(operation).cost
        return [too_costly(limits.max_cost, cost)] if cost > limits.max_cost else []


def prepare(
    query: str, schema: GraphQLSchema, rules: Rules, limits: Limits, max_tokens: int | None
) -> Prepared:
    try:
        document = parse(query, max_tokens=max_tokens, max_source_length=limits.max_document_chars)
    except GraphQLError as error:
        return Prepared(None, (typed(error),))
    return review(document, schema, rules, limits)


def review(document: DocumentNode, schema: GraphQLSchema, rules: Rules, limits: Limits) -> Prepared:
    """The limits first (each crossed one once, whichever operation crossed it), then
    graphql-core's validation, with its rule bounding introspection."""
    measure = Measure(schema, document)
    found: dict[object, GraphQLError] = {}
    page_variables: dict[str | None, frozenset[str]] = {}
    for operation in document.definitions:
        if isinstance(operation, OperationDefinitionNode):
            shape = measure.operation(operation)
            page_variables[_name(operation)] = shape.page_variables
            for refusal in refusals(shape, limits, cost=not shape.page_variables):
                found.setdefault((refusal.extensions or {}).get("code"), refusal)
    if found:
        return Prepared(None, tuple(found.values()))
    errors = validate_document(schema, document, (*rules, MaxIntrospectionDepthRule))
    if errors:
        return Prepared(None, tuple(_detached(error) for error in errors))
    return Prepared(document, (), page_variables)


def _detached(error: GraphQLError) -> GraphQLError:
    """The same error without its AST nodes (which hold the whole document's tokens)."""
    return GraphQLError(
        error.message, source=error.source, positions=error.positions, extensions=error.extensions
    )


def _name(operation: OperationDefinitionNode) -> str | None:
    return operation.name.value if operation.name else None


def _pages(
    operation: OperationDefinitionNode, names: frozenset[str], variables: Mapping[str, Any]
) -> dict[str, int]:
    """The request's values of the variables given as `first`, or their defaults in the
    operation; a value that is not an integer is left to graphql-core's coercion."""
    defaults = {
        definition.variable.name.value: definition.default_value
        for definition in operation.variable_definitions or ()
    }
    pages: dict[str, int] = {}
    for name in names:
        value = variables.get(name, defaults.get(name))
        if isinstance(value, IntValueNode):
            value = int(value.value)
        if isinstance(value, int) and not isinstance(value, bool):
            pages[name] = value
    return pages
