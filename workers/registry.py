"""Every actor, as specs the pools declare on their brokers. Actors are thin: they take ids,
build nothing but a per-event-loop runtime, and call app services. Names are
``"<domain>.<verb>"``; ``queue`` says which pool runs them (``workers.broker``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from app.clock import Clock
from app.config import Settings
from app.db.engine import Database
from app.outbox import lifecycle
from app.runtime import Runtime
from workers.broker import JOBS

Job = Callable[..., Awaitable[None]]


@dataclass(frozen=True)
class ActorSpec:
    name: str
    job: Job
    queue: str = JOBS
    # Errors retrying cannot fix: the job is dead at once instead of running again.
    throws: tuple[type[Exception], ...] = ()
    # The actor does its work in one transaction, which then also marks the job done. An actor
    # that commits several (around a call outside) says False: it is marked done after it
    # returns. A second commit by a one-transaction actor is reported as a failure (tests).
    one_transaction: bool = True


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
            database.before_commit["job_done"] = lifecycle.done_at_commit(self.clock)
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
