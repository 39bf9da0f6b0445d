"""The schema extension that refuses an operation over a limit before any resolver runs, for
every caller of the schema: HTTP, websockets, and the console that executes it in-process.

It takes the place of Strawberry's ``ParserCache``, ``ValidationCache`` and
``AddValidationRules``: each query text is prepared once (``review.prepare``: parsed,
measured, validated) and remembered by text, the last ``size`` of them — so the hot path's
``ingestEvents`` and the console's queries are parsed and validated once, and a refused text
is refused from memory the next time. Strawberry's ``MaxTokensLimiter`` (listed before it)
sets the token limit the parser stops at.

Not used, and why: Strawberry's ``QueryDepthLimiter`` and ``MaxAliasesLimiter`` walk every
fragment spread without memoising (a 1 KB document of nested spreads keeps them busy for
minutes); its ``ParserCache`` raises a syntax error from its hook, outside Strawberry's error
handling on the websocket path (the operation just completed, without an error message), and
keeps only successes, so a refused text was parsed again each time it came.

A refused text leaves ``graphql_document`` unset, and Strawberry's own parse is made to fail
at once (a token limit of 0); the errors the client gets are then the prepared ones.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.types.execution import StreamExecutionResult

from graphql_schema.limits.config import Limits
from graphql_schema.limits.review import Prepared, prepare


class Memo:
    """Prepared query texts, the last ``size`` used (one per schema: its limits and rules)."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self.entries: OrderedDict[str, Prepared] = OrderedDict()

    def get(self, query: str) -> Prepared | None:
        found = self.entries.get(query)
        if found is not None:
            self.entries.move_to_end(query)
        return found

    def put(self, query: str, prepared: Prepared) -> None:
        self.entries[query] = prepared
        if len(self.entries) > self.size:
            self.entries.popitem(last=False)


class OperationLimits(SchemaExtension):
    def __init__(self, limits: Limits, memo: Memo) -> None:
        super().__init__()
        self.limits, self.memo = limits, memo
        self.prepared: Prepared | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if query and context.graphql_document is None:
            prepared = self.memo.get(query)
            if prepared is None:
                schema = context.schema._schema
                tokens = context.parse_options.get("max_tokens")
                prepared = prepare(query, schema, context.validation_rules, self.limits, tokens)
                self.memo.put(query, prepared)
            self.prepared = prepared
            if prepared.document is None:
                context.parse_options["max_tokens"] = 0
            else:
                context.graphql_document = prepared.document
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if self.prepared is not None:
            context.pre_execution_errors = self.prepared.for_request(
                context.schema._schema, context.operation_name, context.variables, self.limits
            )
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        self._report(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        self._report(result)
        yield

    def _report(self, result: object) -> None:
        """A refused text's errors, in place of the failed parse's."""
        refused = self.prepared is not None and self.prepared.document is None
        if refused and getattr(result, "errors", None):
            result.errors = list(self.prepared.errors)  # type: ignore[union-attr, attr-defined]
