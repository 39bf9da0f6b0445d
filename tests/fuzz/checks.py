"""What every fuzzed answer must be, and how a write is seen.

An answer fails when it is a 5xx, not a GraphQL response, holds a masked error
("Unexpected error."), an error raised while executing (it has a ``path``) without an
``extensions.code``, or a non-null field that resolved to null. An operation wrote when any
table's row count or newest row version (``xmin``) moved: a query, a refused operation and a
mutation that returned a typed error must leave every table as it was."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from app.db.engine import Database

MASKED = "Unexpected error."
TYPED_ERRORS = frozenset(
    {"ValidationError", "NotFoundError", "ConflictError", "InsufficientCreditsError"}
)
NULL_IN_NON_NULL = "Cannot return null for non-nullable field"

Fingerprint = dict[str, tuple[int, int]]


def problems(status: int, body: object) -> list[str]:
    """What is wrong with one answer (empty when nothing is)."""
    if status >= 500:
        return [f"HTTP {status}"]
    if not isinstance(body, dict) or not ({"data", "errors"} & body.keys()):
        return [f"not a GraphQL response (HTTP {status})"]
    found = []
    for error in body.get("errors") or []:
        message = error.get("message") if isinstance(error, dict) else None
        if not isinstance(message, str):
            found.append(f"an error without a message: {error!r}")
        elif message == MASKED:
            found.append("a masked error")
        elif NULL_IN_NON_NULL in message:
            found.append(f"null in a non-null field: {message}")
        elif "path" in error and not (error.get("extensions") or {}).get("code"):
            found.append(f"an error without extensions.code: {message}")
    return found


def outcome(status: int, body: object, root: str) -> str:
    """``ok`` (a payload), ``typed`` (a mutation's typed error), ``refused`` (HTTP 4xx or a
    GraphQL error)."""
    if status >= 400 or not isinstance(body, dict) or body.get("errors"):
        return "refused"
    data = body.get("data")
    if root == "mutation" and isinstance(data, dict):
        result = next(iter(data.values()), None)
        if isinstance(result, dict) and result.get("__typename") in TYPED_ERRORS:
            return "typed"
    return "ok"


class Tables:
    """One statement that fingerprints every table: (rows, newest row version)."""

    def __init__(self, names: list[str]) -> None:
        self.sql = text(
            " UNION ALL ".join(
                f"SELECT '{name}', count(*), coalesce(max(xmin::text::bigint), 0) FROM {name}"
                for name in sorted(names)
            )
        )

    async def fingerprint(self, database: Database) -> Fingerprint:
        async with database.engine.connect() as connection:
            rows = (await connection.execute(self.sql)).all()
        return {row[0]: (row[1], row[2]) for row in rows}


def written(before: Fingerprint, after: Fingerprint) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def failure(request: Any, status: int, body: Any, found: list[str]) -> str:
    """The report of a failed check, in ASCII (a lone surrogate would not cross to xdist's
    controller): the problems, the request as sent, the answer."""
    report = f"{'; '.join(found)}\n{request.describe()}\nanswer (HTTP {status}): {body!r}"
    return report[:6000].encode("ascii", "backslashreplace").decode()
