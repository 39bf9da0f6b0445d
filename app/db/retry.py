"""Running a unit of work again when the database undid it, or when it learnt too late that
what it read has changed.

Retried, up to ``TRIES`` tries in all:

* a **serialization failure** or a **deadlock** (SQLSTATE 40001, 40P01): PostgreSQL rolled the
  try back to let another transaction through; the lock order (README, "Lock order") makes
  deadlocks rare, and a retry is what the rest need;
* the exceptions a caller names in ``again`` (e.g. ``InvoicedMeanwhile``).

The work must roll back on the exception (its transaction or savepoint ends with it, and with
it every note it made, ``app.db.notes``), so each try starts from the database as it now is;
READ COMMITTED gives every statement of the new try a fresh snapshot. When the last try fails
the same way, the caller gets ``Busy``: a typed error (nothing was written; try again).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from app.errors import Conflict

log = logging.getLogger("tally.db.retry")
T = TypeVar("T")
TRIES = 3
TRANSIENT = frozenset({"40001", "40P01"})  # serialization_failure, deadlock_detected


class Busy(Conflict):
    """The work ran ``TRIES`` times and the database undid it each time; nothing was written."""

    code = "busy"

    def __init__(self) -> None:
        super().__init__(
            None, "other changes to the same records kept this one from finishing; try again"
        )


def transient(error: BaseException) -> bool:
    """Did the database undo this try to let another transaction through (a deadlock, a
    serialization failure)? asyncpg's errors and SQLAlchemy's wrappers of them both say so."""
    seen: BaseException | None = error
    for _ in range(5):  # the wrapper, its cause, the driver's error
        if seen is None:
            return False
        if getattr(seen, "sqlstate", None) in TRANSIENT:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False


def _retryable(error: Exception, again: tuple[type[Exception], ...]) -> bool:
    if transient(error):
        # Logged: with the lock order kept, deadlocks should not happen at all.
        log.warning("the database undid a unit of work (%s); running it again", _first_line(error))
        return True
    return isinstance(error, again)


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


class TryAgain(Exception):
    """The work learnt, too late, something a fresh try can act on (a period closed meanwhile,
    a sum that would cross a limit): run it again with ``retrying(..., (TryAgain,))``."""


async def retrying(
    run: Callable[[], Awaitable[T]],
    again: tuple[type[Exception], ...] = (),
    tries: int = TRIES,
) -> T:
    """``run()``, once more each time the database undid it or it raised one of ``again``,
    ``tries`` times at most; then ``Busy``."""
    for attempt in range(1, tries):
        try:
            return await run()
        except Exception as error:
            if not _retryable(error, again):
                raise
        # A short random pause, so that two transactions that undid each other do not meet
        # again in step.
        await asyncio.sleep(random.uniform(0, 0.01 * attempt))
    try:
        return await run()
    except Exception as error:
        if _retryable(error, again):
            raise Busy() from error
        raise
