"""Statements sent together: one round trip instead of two.

Every round trip inside a transaction that holds row locks keeps those locks for one more
wait on the network and on the event loop, and costs CPU on both ends; a data-modifying
statement whose result nobody reads can ride along with the next one as a common table
expression (PostgreSQL runs it whether or not the main query reads it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARAMETER = re.compile(r"\$(\d+)")


@dataclass(frozen=True)
class Statement:
    """SQL with positional parameters ``$1…$n`` and their values."""

    sql: str
    args: tuple[object, ...]


def alongside(main: Statement, extra: Statement | None) -> Statement:
    """``main`` with ``extra`` (data-modifying, its rows unread) run in the same statement.

    ``extra`` must not touch the rows ``main`` reads or writes: both see the snapshot taken
    before either ran."""
    if extra is None:
        return main
    offset = len(main.args)
    shifted = _PARAMETER.sub(lambda m: f"${int(m.group(1)) + offset}", extra.sql)
    return Statement(f"WITH alongside AS ({shifted})\n{main.sql}", main.args + extra.args)
