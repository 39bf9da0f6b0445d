"""What the outbox relay hands rows to: jobs to the Dramatiq broker, live messages to the bus."""

from __future__ import annotations

from typing import Any

from app.live import Bus
from workers.broker import BrokerSink


class Dispatch:
    def __init__(self, jobs: BrokerSink, bus: Bus) -> None:
        self.jobs = jobs
        self.bus = bus

    async def job(self, actor: str, payload: dict[str, Any], message_id: str) -> None:
        await self.jobs.job(actor, payload, message_id)

    async def live(self, messages: list[tuple[str, dict[str, Any]]]) -> None:
        await self.bus.publish(messages)
