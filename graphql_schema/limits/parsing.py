"""Parsed documents cached per query text — and so are syntax errors and refusals.

It stands in for Strawberry's ``ParserCache``, which has two flaws for a public endpoint: it
raises a syntax error from its hook, outside Strawberry's error handling on the websocket
path (the operation ends without an error message, and the error is logged as a crash), and
it caches only successes, so the same refused text is parsed again, up to the token limit,
every time it is sent. Here a failed parse is cached like a document; the request's own
parse is then made to fail at once (a token limit of 0), and the client gets the
cached error in its place. Strawberry's ``MaxTokensLimiter`` sets the token limit the parser
stops at; ``refusals.typed`` makes that error name the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from graphql import DocumentNode, GraphQLError, parse
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import StreamExecutionResult

from graphql_schema.limits.refusals import typed

CACHE_SIZE = 512


@lru_cache(maxsize=CACHE_SIZE)
def _parsed(query: str, max_tokens: int | None) -> DocumentNode | GraphQLError:
    try:
        return parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        return typed(error)


class CachedParse(SchemaExtension):
    def __init__(self) -> None:
        super().__init__()
        self.failure: GraphQLError | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query and context.graphql_document is None:
            found = _parsed(context.query, context.parse_options.get("max_tokens"))
            if isinstance(found, GraphQLError):
                self.failure = found
                context.parse_options["max_tokens"] = 0
            else:
                context.graphql_document = found
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        self._report(self.execution_context.result)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        self._report(result)
        yield

    def _report(self, result: object) -> None:
        if self.failure is not None and getattr(result, "errors", None):
            result.errors = [self.failure]  # type: ignore[attr-defined]
