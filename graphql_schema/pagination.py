"""Cursor pagination (Relay connections). Cursors are opaque; internally they wrap a row id."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import strawberry

from app.errors import ValidationFailed

N = TypeVar("N")
R = TypeVar("R")
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


def connection(
    rows: Sequence[R], first: int, id_of: Callable[[R], int | None], node: Callable[[R], N]
) -> Connection[N]:
    """Build a connection from ``first + 1`` rows (the extra one says a next page exists)."""
    shown = rows[:first]
    edges = [Edge(cursor=encode_cursor(id_of(r) or 0), node=node(r)) for r in shown]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
