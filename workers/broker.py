"""Dramatiq in two modes: RedisBrokers (scaled: ``tally worker`` processes) or in-process
StubBrokers with worker threads inside ``tally serve`` (the embedded default).

Jobs travel on two queues, each with a broker and a worker pool of its own: ``jobs`` (money,
billing, alerts, fan-out: short database work) and ``deliveries`` (webhook POSTs and SMTP
sends: they wait on servers outside Tally), so a slow receiver never holds a thread that a
payment needs. Actors are declared on the brokers built here (never on a module-level global
broker), so the API process, the worker processes and the tests each own theirs.
"""

from __future__ import annotations

import asyncio
from typing import Any

import dramatiq
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage

JOBS = "jobs"
DELIVERIES = "deliveries"
# Tally's queue names → Dramatiq's (the jobs queue keeps the name it always had).
QUEUES = {JOBS: "tally", DELIVERIES: "tally-deliveries"}


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
    broker.add_middleware(CurrentMessage())
    return broker


class BrokerSink:
    """Where the outbox relay sends jobs: one Dramatiq message per outbox row, on the queue of
    its actor (``routes``: actor name → Tally queue; others go to ``jobs``)."""

    def __init__(self, brokers: dict[str, dramatiq.Broker], routes: dict[str, str]) -> None:
        self.brokers = brokers
        self.routes = routes

    async def job(self, actor: str, payload: dict[str, Any], message_id: str) -> None:
        """``message_id`` names the outbox row ("outbox-42"): the worker marks it."""
        queue = self.routes.get(actor, JOBS)
        broker = self.brokers[queue]
        message: dramatiq.Message[Any] = dramatiq.Message(
            queue_name=QUEUES[queue],
            actor_name=actor,
            args=(),
            kwargs=payload,
            options={},
            message_id=message_id,
        )
        if isinstance(broker, StubBroker):
            broker.enqueue(message)
        else:  # redis-py is blocking: keep the event loop free
            await asyncio.to_thread(broker.enqueue, message)
