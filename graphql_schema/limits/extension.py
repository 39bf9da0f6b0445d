"""The schema extension that refuses an operation over a limit before any resolver runs, for
every caller of the schema: HTTP, websockets, and the console that executes it in-process.

It replaces Strawberry's ``ValidationCache`` and ``AddValidationRules``: the review
(``graphql_schema.limits.review``) measures the document first and runs graphql-core's
validation only when it is within the limits, cached per document.
Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` are not used: both walk every
fragment spread without memoising (a 1 KB document of nested spreads keeps them busy for
minutes).
"""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from graphql_schema.limits.config import Limits
from graphql_schema.limits.review import review


class OperationLimits(SchemaExtension):
    def __init__(self, limits: Limits) -> None:
        super().__init__()
        self.limits = limits

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        assert document is not None
        schema = context.schema._schema
        found = review(schema, document, context.validation_rules, self.limits)
        context.pre_execution_errors = found.for_request(
            schema, document, context.operation_name, context.variables, self.limits
        )
        yield
