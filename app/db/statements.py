"""Statements sent together: one round trip instead of two.

Every round trip inside a transaction that holds row locks keeps those locks for one more
wait on the network and on the event loop, and costs CPU on both ends; a data-modifying
statement whose result nobody reads can ride along with the next one as a common table
expression (PostgreSQL runs it whether or not the main query reads it).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

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


# A wallet reaction's SQL names its parameters: :ids (the wallets the transaction changed),
# :now (the transaction's time) and :committed_at (the same as ISO text). ``positional`` turns
# them into the driver's positional parameters.
REACTION_PARAMETERS = {"ids": "$1::bigint[]", "now": "$2::timestamptz", "committed_at": "$3::text"}
_NAMED = re.compile(r"(?<!:):(ids|now|committed_at)\b")

ReactionHandler = Callable[[AsyncSession, Sequence[int], list[Any], datetime], Awaitable[None]]


def positional(sql: str) -> str:
    return _NAMED.sub(lambda m: REACTION_PARAMETERS[m.group(1)], sql)


@dataclass(frozen=True)
class WalletReaction:
    """One domain's part of the one statement sent before commit over the changed wallets
    (``app.flows.balance_reactions`` assembles them): ``ctes`` ("name AS (…), …"; names unique
    across domains) and ``rows`` (a SELECT of ``source`` and one jsonb value per row), in the
    named-parameter SQL above; ``handle`` gets the ``data`` of the rows whose source is
    ``source``."""

    source: str
    ctes: str
    rows: str
    handle: ReactionHandler | None = None
