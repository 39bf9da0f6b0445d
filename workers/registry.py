"""Every actor, declared on a given broker. Actors are thin: they take ids, build nothing but
a per-event-loop runtime, and call app services. Names are ``"<domain>.<verb>"``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import dramatiq

from app.clock import Clock
from app.config import Settings
from app.db.engine import Database
from app.runtime import Runtime
from workers.broker import QUEUE

Job = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class ActorSpec:
    name: str
    job: Job
    max_retries: int = 20
    min_backoff_ms: int = 500
    max_backoff_ms: int = 300_000
    throws: tuple[type[Exception], ...] = ()


@dataclass
class WorkerRuntimes:
    """One Runtime per event loop (engines must not cross loops), built on first use."""

    settings: Settings
    database_url: str
    clock: Clock
    _by_loop: dict[int, Runtime] = field(default_factory=dict)

    def current(self) -> Runtime:
        loop = id(asyncio.get_running_loop())
        runtime = self._by_loop.get(loop)
        if runtime is None:
            database = Database(self.database_url, pool_size=5)
            runtime = self._by_loop[loop] = Runtime(self.settings, database, self.clock)
        return runtime

    async def close(self) -> None:
        for runtime in self._by_loop.values():
            await runtime.close()
        self._by_loop.clear()


def all_specs() -> list[ActorSpec]:
    from workers import alerts, billing, notifications, payments, recharge, wallets, webhooks

    return [
        *wallets.ACTORS,
        *billing.ACTORS,
        *alerts.ACTORS,
        *notifications.ACTORS,
        *webhooks.ACTORS,
        *payments.ACTORS,
        *recharge.ACTORS,
    ]


def declare_actors(
    broker: dramatiq.Broker, runtimes: WorkerRuntimes, specs: list[ActorSpec] | None = None
) -> dict[str, dramatiq.Actor[Any, Any]]:
    declared: dict[str, dramatiq.Actor[Any, Any]] = {}
    for spec in specs if specs is not None else all_specs():
        declared[spec.name] = dramatiq.actor(  # type: ignore[call-overload]
            _bind(spec.job, runtimes),
            actor_name=spec.name,
            queue_name=QUEUE,
            broker=broker,
            max_retries=spec.max_retries,
            min_backoff=spec.min_backoff_ms,
            max_backoff=spec.max_backoff_ms,
            throws=spec.throws,
        )
    return declared


def _bind(job: Job, runtimes: WorkerRuntimes) -> Callable[..., Awaitable[None]]:
    async def run(**kwargs: Any) -> None:
        await job(runtimes.current(), **kwargs)

    run.__name__ = job.__name__
    return run
