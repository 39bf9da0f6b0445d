"""Cursor pagination (Relay connections). Cursors are opaque; internally they wrap a row id
(or another key a connection orders by). ``paged`` serves every connection's page."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, overload

import strawberry

from app.errors import ValidationFailed

N = TypeVar("N")
R = TypeVar("R")
K = TypeVar("K")
MAX_PAGE = 200
MAX_ROW_ID = 2**63 - 1  # BIGINT


def row_id(value: object) -> int | None:
    """The row id an ``ID`` (or a cursor) names: ASCII digits within BIGINT; else None."""
    digits = str(value)
    if digits.isascii() and digits.isdigit() and int(digits) <= MAX_ROW_ID:
        return int(digits)
    return None


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    edges: list[Edge[N]]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[N]:
        return [edge.node for edge in self.edges]


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{row_id}".encode()).decode()


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
    except ValueError:  # binascii.Error and UnicodeDecodeError are ValueErrors
        kind, value = "", ""
    found = row_id(value) if kind == "id" else None
    if found is None:
        raise ValidationFailed("after", "`after` is not a cursor this API gave out")
    return found


def page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE:
        raise ValidationFailed("first", f"`first` must be between 1 and {MAX_PAGE}")
    return first


@dataclass(frozen=True)
class Page(Generic[K]):
    """What one page asks its query for: the rows that come after ``after`` in the
    connection's order (the key the ``after`` cursor names; None: from the start), ``limit``
    of them: one more than shown, to tell whether a next page exists."""

    after: K | None
    limit: int


@dataclass(frozen=True)
class Cursors(Generic[K, R]):
    """A connection's cursors: ``read`` turns ``after`` into a key (a ValidationFailed on
    ``after`` when it is not one this API gave out), ``write`` gives a row's cursor."""

    read: Callable[[str | None], K | None]
    write: Callable[[R], str]


def by_id(id_of: Callable[[R], int | None]) -> Cursors[int, R]:
    """Row-id cursors for rows whose id is not their ``id`` (rows with one get these)."""
    return Cursors(decode_cursor, lambda row: encode_cursor(id_of(row) or 0))


class HasId(Protocol):
    @property
    def id(self) -> int | None: ...


M = TypeVar("M", bound=HasId)


@overload
async def paged(
    first: int,
    after: str | None,
    fetch: Callable[[Page[int]], Awaitable[Sequence[M]]],
) -> Connection[M]: ...


@overload
async def paged(
    first: int,
    after: str | None,
    fetch: Callable[[Page[K]], Awaitable[Sequence[R]]],
    *,
    cursors: Cursors[K, R],
) -> Connection[R]: ...


async def paged(
    first: int,
    after: str | None,
    fetch: Callable[[Page[Any]], Awaitable[Sequence[Any]]],
    *,
    cursors: Cursors[Any, Any] | None = None,
) -> Connection[Any]:
    """One page of a connection: check ``first`` and ``after`` (in that order; each a
    ValidationFailed naming its argument), ``fetch`` one row more than ``first`` past the
    cursor, and show ``first`` of them. The rows are the nodes (a field declares the GraphQL
    type they are shown as: ``graphql_type=Connection[Wallet]``). Rows are cursored by their
    ``id`` unless ``cursors`` says otherwise."""
    cursors = cursors or by_id(_id_of)
    limit = page_size(first)
    rows = await fetch(Page(cursors.read(after), limit + 1))
    edges = [Edge(cursor=cursors.write(row), node=row) for row in rows[:limit]]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > limit,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


def _id_of(row: HasId) -> int | None:
    return row.id
