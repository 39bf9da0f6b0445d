"""The live bus: publish after commit (through the outbox relay), subscribe per channel.

``InMemoryBus`` serves the embedded single process. ``RedisBus`` spans processes: it
publishes with Redis PUBLISH and keeps ONE pub/sub connection per process, subscribing a
channel when its first local subscriber arrives and unsubscribing when the last leaves; if
Redis restarts it reconnects and resubscribes, and the websockets stay open.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import orjson

from app.live.hub import Hub, Inbox, Message

log = logging.getLogger("tally.live")
PREFIX = "tally:live:"
CONTROL = PREFIX + "_control"


class Bus(Protocol):
    hub: Hub

    async def publish(self, messages: Sequence[tuple[str, Message]]) -> None: ...

    def subscribe(self, channel: str) -> Any: ...

    async def close(self) -> None: ...


class InMemoryBus:
    def __init__(self, inbox_limit: int = 256) -> None:
        self.hub = Hub(inbox_limit)

    async def publish(self, messages: Sequence[tuple[str, Message]]) -> None:
        for channel, message in messages:
            self.hub.deliver(channel, message)

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Inbox]:
        async with self.hub.attach(channel) as (inbox, _):
            yield inbox

    async def close(self) -> None:
        return None


class RedisBus:
    def __init__(self, url: str, inbox_limit: int = 256, retry_seconds: float = 0.5) -> None:
        import redis.asyncio as redis

        self.url = url
        self.hub = Hub(inbox_limit)
        self.retry_seconds = retry_seconds
        self._publisher = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._pubsub: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def publish(self, messages: Sequence[tuple[str, Message]]) -> None:
        async with self._publisher.pipeline(transaction=False) as pipe:
            for channel, message in messages:
                pipe.publish(PREFIX + channel, orjson.dumps(message))
            await pipe.execute()

    @asynccontextmanager
    async def subscribe(self, channel: str) -> AsyncIterator[Inbox]:
        self._ensure_listener()
        async with self.hub.attach(channel) as (inbox, first):
            if first:
                await self._subscribe_remote(channel)
            try:
                yield inbox
            finally:
                if self.hub.count(channel) == 1:  # this was the last local subscriber
                    await self._unsubscribe_remote(channel)

    async def _subscribe_remote(self, channel: str) -> None:
        with contextlib.suppress(OSError, ConnectionError, TimeoutError):
            await asyncio.wait_for(self._connected.wait(), 5)
            await self._pubsub.subscribe(PREFIX + channel)

    async def _unsubscribe_remote(self, channel: str) -> None:
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.unsubscribe(PREFIX + channel)

    def _ensure_listener(self) -> None:
        if self._listener is None or self._listener.done():
            self._listener = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        import redis.asyncio as redis

        while True:
            client = redis.Redis.from_url(self.url, socket_connect_timeout=5)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                channels = [PREFIX + c for c in self.hub.channels()]
                await pubsub.subscribe(CONTROL, *channels)  # CONTROL keeps it connected
                self._pubsub = pubsub
                self._connected.set()
                await self._pump(pubsub)
            except (OSError, ConnectionError, TimeoutError, redis.RedisError) as error:
                log.warning("live bus lost Redis (%s); reconnecting", error)
            finally:
                self._connected.clear()
                self._pubsub = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()  # type: ignore[no-untyped-call]
                    await client.aclose()
            await asyncio.sleep(self.retry_seconds)

    async def _pump(self, pubsub: Any) -> None:
        while True:
            message = await pubsub.get_message(timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"].decode()[len(PREFIX) :]
            self.hub.deliver(channel, orjson.loads(message["data"]))

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        await self._publisher.aclose()


def build_bus(redis_url: str | None) -> Bus:
    return RedisBus(redis_url) if redis_url else InMemoryBus()
