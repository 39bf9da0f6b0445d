"""Local fan-out of live messages to this process's subscribers, with back-pressure.

Each subscriber has a bounded inbox that coalesces by key: a new wallet state replaces the
one not yet delivered (latest wins), so a slow subscriber costs memory bounded by the number
of keys it watches, never slows a publisher, and never makes the others wait.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

Message = dict[str, Any]
T = TypeVar("T")


class Delivered(dict[str, Any]):
    """A message as this process's subscribers of one channel receive it: one object for all
    of them, so what they derive from it (the payload a subscription yields) is built once."""

    __slots__ = ("_derived",)

    def __init__(self, message: Message) -> None:
        super().__init__(message)
        self._derived: dict[Callable[..., Any], Any] = {}

    def derive(self, build: Callable[[Message], T]) -> T:
        if build not in self._derived:
            self._derived[build] = build(self)
        result: T = self._derived[build]
        return result


class Inbox:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._pending: OrderedDict[str, Message] = OrderedDict()
        self._ready = asyncio.Event()
        self.dropped = 0

    def offer(self, message: Message) -> None:
        key = str(message.get("coalesce") or id(message))
        if key in self._pending:
            del self._pending[key]
        self._pending[key] = message
        if len(self._pending) > self.limit:
            self._pending.popitem(last=False)
            self.dropped += 1
        self._ready.set()

    async def next(self) -> Message:
        while not self._pending:
            self._ready.clear()
            await self._ready.wait()
        _, message = self._pending.popitem(last=False)
        return message

    def __len__(self) -> int:
        return len(self._pending)


class Hub:
    def __init__(self, inbox_limit: int = 256) -> None:
        self.inbox_limit = inbox_limit
        self._inboxes: dict[str, set[Inbox]] = defaultdict(set)

    def deliver(self, channel: str, message: Message) -> None:
        inboxes = self._inboxes.get(channel)
        if inboxes:
            delivered = Delivered(message)
            for inbox in inboxes:
                inbox.offer(delivered)

    def channels(self) -> list[str]:
        return list(self._inboxes)

    def count(self, channel: str | None = None) -> int:
        if channel is not None:
            return len(self._inboxes.get(channel, ()))
        return sum(len(inboxes) for inboxes in self._inboxes.values())

    @asynccontextmanager
    async def attach(self, channel: str) -> AsyncIterator[tuple[Inbox, bool]]:
        """Yields the inbox and whether it is the channel's first local subscriber."""
        inbox = Inbox(self.inbox_limit)
        first = channel not in self._inboxes
        self._inboxes[channel].add(inbox)
        try:
            yield inbox, first
        finally:
            inboxes = self._inboxes.get(channel)
            if inboxes is not None:
                inboxes.discard(inbox)
                if not inboxes:
                    del self._inboxes[channel]
