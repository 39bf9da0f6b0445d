"""The errors of a refused operation: each names its limit in ``extensions`` — ``code`` and
``limit`` (and ``field`` for `first`) — so a client can tell which one it crossed.

    BODY_TOO_LARGE         the HTTP body or websocket message, in bytes
    DOCUMENT_TOO_LONG      the document's characters (graphql-core's parser reads none)
    TOO_MANY_TOKENS        the document's tokens (graphql-core's parser stops there)
    TOO_MANY_SELECTIONS    fields, spreads and inline fragments, fragments expanded
    QUERY_TOO_DEEP         levels of fields below a root field
    TOO_MANY_ALIASES       aliased fields, fragments expanded
    TOO_MANY_ROOT_FIELDS   fields at the operation's top level, fragments expanded
    PAGE_TOO_LARGE         a connection's `first`
    QUERY_TOO_COSTLY       the estimated fields resolved, lists multiplied
"""

from __future__ import annotations

import re
from typing import Any

from graphql import GraphQLError, GraphQLSyntaxError

from graphql_schema.limits.config import MAX_PAGE, Limits
from graphql_schema.limits.shape import Shape

# graphql-core's parser, when a document has more than ``max_tokens`` tokens, or more than
# ``max_source_length`` characters.
_TOKENS = re.compile(r"Document contains more than (\d+) tokens")
_LENGTH = re.compile(r"Source contains more than (\d+) code points")


class Refusal(GraphQLError):
    """An operation refused before anything ran, because it crossed ``limit``."""

    def __init__(self, code: str, limit: int, message: str, **extra: Any) -> None:
        super().__init__(message, extensions={"code": code, "limit": limit, **extra})


def body_too_large(limit: int) -> Refusal:
    return Refusal("BODY_TOO_LARGE", limit, f"The request body is over {limit:,} bytes.")


def page_too_large() -> Refusal:
    return Refusal(
        "PAGE_TOO_LARGE", MAX_PAGE, f"`first` must be between 1 and {MAX_PAGE}.", field="first"
    )


def too_costly(limit: int, cost: int) -> Refusal:
    return Refusal(
        "QUERY_TOO_COSTLY",
        limit,
        f"The query would resolve an estimated {_count(cost, limit)} fields (each list "
        f"counted as long as its `first`); at most {limit:,} are allowed. Ask for smaller "
        "pages.",
    )


def refusals(shape: Shape, limits: Limits, *, cost: bool) -> list[Refusal]:
    """What ``shape`` crosses, the expansion first (it says why the rest is large too);
    the estimated cost only when ``cost`` (it may depend on the request's variables) and
    nothing else is crossed."""
    checks = [
        (
            "TOO_MANY_SELECTIONS",
            shape.selections,
            limits.max_selections,
            "The query selects {found} fields once its fragments are expanded; at most "
            "{limit} are allowed.",
        ),
        (
            "QUERY_TOO_DEEP",
            shape.depth,
            limits.max_depth,
            "The query nests fields {found} levels below a root field; at most {limit} are "
            "allowed.",
        ),
        (
            "TOO_MANY_ALIASES",
            shape.aliases,
            limits.max_aliases,
            "The query has {found} aliases; at most {limit} are allowed.",
        ),
        (
            "TOO_MANY_ROOT_FIELDS",
            shape.root_fields,
            limits.max_root_fields,
            "The operation has {found} root fields; at most {limit} are allowed.",
        ),
    ]
    found = [
        Refusal(code, limit, text.format(found=_count(measured, limit), limit=f"{limit:,}"))
        for code, measured, limit, text in checks
        if measured > limit
    ]
    if shape.page > MAX_PAGE:
        found.append(page_too_large())
    if cost and not found and shape.cost > limits.max_cost:
        found.append(too_costly(limits.max_cost, shape.cost))
    return found


def typed(error: GraphQLError) -> GraphQLError:
    """graphql-core's syntax error for a document over a limit, as a refusal naming it."""
    if not isinstance(error, GraphQLSyntaxError):
        return error
    if found := _TOKENS.search(error.message):
        limit = int(found.group(1))
        return Refusal(
            "TOO_MANY_TOKENS",
            limit,
            f"The document has more than {limit:,} tokens; at most {limit:,} are allowed. "
            "Send values in variables.",
        )
    if found := _LENGTH.search(error.message):
        limit = int(found.group(1))
        return Refusal(
            "DOCUMENT_TOO_LONG",
            limit,
            f"The document is over {limit:,} characters long. Send values in variables.",
        )
    return error


def _count(found: int, limit: int) -> str:
    """A measure for a message: exact up to ten times the limit, "more than" above."""
    return f"{found:,}" if found <= 10 * limit else f"more than {10 * limit:,}"
