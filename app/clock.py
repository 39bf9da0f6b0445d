"""The one source of "now". Production uses the system clock; tests move a FrozenClock.

``sleep_until`` waits for a moment on that clock (a live subscription waiting for credits to
expire): on the system clock, real time; on a frozen clock, until the test moves it there.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep_until(self, moment: datetime) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, moment: datetime) -> None:
        await asyncio.sleep(max(0.0, (moment - self.now()).total_seconds()))


class FrozenClock:
    """A clock that only moves when told to (tests, and the demo's history)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start
        self._sleepers: list[tuple[datetime, asyncio.Future[None]]] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        self._wake()
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment
        self._wake()

    async def sleep_until(self, moment: datetime) -> None:
        if moment <= self._now:
            return
        waiting: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((moment, waiting))
        try:
            await waiting
        finally:
            self._sleepers = [s for s in self._sleepers if s[1] is not waiting]

    def waiting(self) -> list[datetime]:
        """The moments sleepers wait for (a test moves the clock once something waits)."""
        return [moment for moment, _ in self._sleepers]

    def _wake(self) -> None:
        for moment, waiting in list(self._sleepers):
            if moment <= self._now and not waiting.done():
                waiting.get_loop().call_soon_threadsafe(_wake_one, waiting)


def _wake_one(waiting: asyncio.Future[None]) -> None:
    if not waiting.done():
        waiting.set_result(None)
