"""The resources one process shares, built once at the edge (server lifespan, CLI, tests)."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.access import KeyCache
from app.clock import Clock, SystemClock
from app.config import Settings
from app.db.engine import Database
from app.flows.balance_reactions import balance_reactions
from app.live import Bus, InMemoryBus
from app.plans import Catalog


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock = field(default_factory=SystemClock)
    bus: Bus = field(default_factory=InMemoryBus)
    keys: KeyCache = field(init=False)
    # Metrics, plans and credit prices, reloaded when their version changes.
    catalog: Catalog = field(init=False, default_factory=Catalog)

    def __post_init__(self) -> None:
        self.keys = KeyCache(self.settings.api_key_cache_seconds, self.settings.api_key_cache_size)
        self.db.before_commit["balance_reactions"] = balance_reactions(self.clock)

    async def close(self) -> None:
        await self.bus.close()
        await self.db.dispose()
