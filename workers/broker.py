"""Dramatiq in two modes: a RedisBroker (scaled: ``tally worker`` processes) or an in-process
StubBroker with a worker thread inside ``tally serve`` (the embedded default).

Actors are declared on the broker that is built here (never on a module-level global broker),
so the API process, the worker processes and the tests each own theirs.
"""

from __future__ import annotations

import asyncio
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware.asyncio import AsyncIO

QUEUE = "tally"


def build_broker(redis_url: str | None) -> dramatiq.Broker:
    broker: dramatiq.Broker
    if redis_url:
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(  # type: ignore[no-untyped-call]
            url=redis_url, socket_timeout=5, socket_connect_timeout=5
        )
    else:
        broker = StubBroker()
        broker.emit_after("process_boot")
    broker.add_middleware(AsyncIO())
    return broker


class BrokerSink:
    """Where the outbox relay sends jobs: one Dramatiq message per outbox row."""

    def __init__(self, broker: dramatiq.Broker) -> None:
        self.broker = broker

    async def job(self, actor: str, payload: dict[str, Any], message_id: str) -> None:
        """``message_id`` names the outbox row ("outbox-42"), so a job can be traced to it."""
        message: dramatiq.Message[Any] = dramatiq.Message(
            queue_name=QUEUE,
            actor_name=actor,
            args=(),
            kwargs=payload,
            options={},
            message_id=message_id,
        )
        if isinstance(self.broker, StubBroker):
            self.broker.enqueue(message)
        else:  # redis-py is blocking: keep the event loop free
            await asyncio.to_thread(self.broker.enqueue, message)
