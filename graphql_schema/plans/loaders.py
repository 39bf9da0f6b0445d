"""Per-operation dataloaders for plans and metrics, kept beside the operation's context."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from datetime import datetime
from typing import TypeVar
from weakref import WeakKeyDictionary

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from app.metering import repository as metrics
from app.metering.models import BillableMetric
from app.plans import repository
from app.plans.models import Charge, Plan, SubscriptionUsage
from graphql_schema.context import Context, Info

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
UsageKey = tuple[int, datetime]  # subscription, period start


class PlanLoaders:
    def __init__(self, context: Context) -> None:
        self._context = context
        self.metric: DataLoader[int, BillableMetric | None] = self._one(
            metrics.by_ids, lambda m: m.id
        )
        self.plan: DataLoader[int, Plan | None] = self._one(repository.plans_by_ids, lambda p: p.id)
        self.charges: DataLoader[int, list[Charge]] = self._many(
            repository.charges_of_plans, lambda c: c.plan_id
        )
        self.usage: DataLoader[UsageKey, list[SubscriptionUsage]] = self._many(
            repository.usage_of_periods, lambda u: (u.subscription_id, u.period_start)
        )

    def _one(
        self,
        fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[Sequence[V]]],
        key: Callable[[V], int | None],
    ) -> DataLoader[int, V | None]:
        async def load(ids: list[int]) -> list[V | None]:
            rows = await self._context.run(lambda s: fetch(s, ids))
            found = {key(r): r for r in rows}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    def _many(
        self,
        fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[V]]],
        key: Callable[[V], K],
    ) -> DataLoader[K, list[V]]:
        async def load(keys: list[K]) -> list[list[V]]:
            rows = await self._context.run(lambda s: fetch(s, keys))
            grouped: dict[K, list[V]] = defaultdict(list)
            for row in rows:
                grouped[key(row)].append(row)
            return [grouped.get(k, []) for k in keys]

        return DataLoader(load_fn=load)


_LOADERS: WeakKeyDictionary[Context, PlanLoaders] = WeakKeyDictionary()


def plan_loaders(info: Info) -> PlanLoaders:
    """The loaders of this operation (made on first use, gone with its context)."""
    context = info.context
    found = _LOADERS.get(context)
    if found is None:
        found = _LOADERS[context] = PlanLoaders(context)
    return found
