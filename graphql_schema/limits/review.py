"""The review of a document: the limits first, then graphql-core's validation only for a
document within them, cached per document like Strawberry's ``ValidationCache`` (the hot
path's ``ingestEvents`` and the console repeat their text; a refused document is refused
from the cache the second time). What depends on a request's variables — a `first` given as
a variable, and then the cost — is checked per request, from the cached review's notes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    IntValueNode,
    OperationDefinitionNode,
    get_operation_ast,
)
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.schema.schema import validate_document

from graphql_schema.limits.config import MAX_PAGE, Limits
from graphql_schema.limits.refusals import page_too_large, refusals, too_costly
from graphql_schema.limits.shape import Measure

CACHE_SIZE = 512


@dataclass(frozen=True)
class Review:
    """``errors``: the limits the document crosses, else graphql-core's validation errors.
    ``page_variables``: per operation (by name), the variables it gives as `first`."""

    errors: tuple[GraphQLError, ...]
    page_variables: Mapping[str | None, frozenset[str]] = field(default_factory=dict)

    def for_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
        limits: Limits,
    ) -> list[GraphQLError]:
        """The errors of this request: the document's, or those of its variables."""
        if self.errors:
            return list(self.errors)
        operation = get_operation_ast(document, operation_name)
        if operation is None or not self.page_variables.get(_name(operation)):
            return []
        pages = _pages(operation, self.page_variables[_name(operation)], variables or {})
        if any(value > MAX_PAGE for value in pages.values()):
            return [page_too_large()]
        cost = Measure(schema, document, pages).operation(operation).cost
        return [too_costly(limits.max_cost, cost)] if cost > limits.max_cost else []


class Same:
    """A document as a cache key by identity: ``ParserCache`` hands out one document per
    query text, and hashing a document's whole tree (as ``ValidationCache`` does) costs
    more than measuring it. The key holds the document, so its id is not reused."""

    __slots__ = ("document",)

    def __init__(self, document: DocumentNode) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.document is self.document


def review(
    schema: GraphQLSchema,
    document: DocumentNode,
    rules: tuple[type[ASTValidationRule], ...],
    limits: Limits,
) -> Review:
    return _review(Same(document), schema, rules, limits)


@lru_cache(maxsize=CACHE_SIZE)
def _review(
    key: Same,
    schema: GraphQLSchema,
    rules: tuple[type[ASTValidationRule], ...],
    limits: Limits,
) -> Review:
    document = key.document
    measure = Measure(schema, document)
    found: dict[str, GraphQLError] = {}
    page_variables: dict[str | None, frozenset[str]] = {}
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        shape = measure.operation(operation)
        page_variables[_name(operation)] = shape.page_variables
        for refusal in refusals(shape, limits, cost=not shape.page_variables):
            found.setdefault(str(refusal.extensions["code"]), refusal)  # type: ignore[index]
    if found:
        return Review(tuple(found.values()))
    errors = validate_document(schema, document, (*rules, MaxIntrospectionDepthRule))
    return Review(tuple(errors), page_variables)


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
