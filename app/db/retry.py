"""Running a unit of work again when it learnt, too late, that what it read has changed.

The work must roll back on the exception (its transaction or savepoint ends with it), so each
try starts from the database as it now is; READ COMMITTED gives every statement of the new try
a fresh snapshot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
TRIES = 3


class TryAgain(Exception):
    """The work learnt, too late, something a fresh try can act on (a period closed meanwhile,
    a sum that would cross a limit): run it again with ``retrying(..., TryAgain)``."""


async def retrying(
    run: Callable[[], Awaitable[T]], again: type[Exception], tries: int = TRIES
) -> T:
    """``run()``, once more each time it raises ``again``, ``tries`` times at most (the last
    try's exception propagates)."""
    for _ in range(tries - 1):
        try:
            return await run()
        except again:
            continue
    return await run()
