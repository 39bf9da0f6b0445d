"""Per-operation dataloaders: each batches one kind of lookup into one query (no N+1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from app.customers import repository as customers
from app.customers.models import Customer
from app.wallets import repository as wallets
from app.wallets.models import Grant, LedgerAllocation, Wallet

if TYPE_CHECKING:
    from graphql_schema.context import Context

K = TypeVar("K")
V = TypeVar("V")


class Loaders:
    def __init__(self, context: Context) -> None:
        self._context = context
        self.customer = self._one(customers.by_ids, lambda c: c.id)
        self.wallet = self._one(wallets.by_ids, lambda w: w.id)
        self.grant = self._one(wallets.grants_by_ids, lambda g: g.id)
        self.wallets_of_customer = self._many(wallets.for_customers, lambda w: w.customer_id)
        self.allocations = self._many(wallets.allocations_for_entries, lambda a: a.entry_id)

    def _one(
        self,
        fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[Sequence[V]]],
        key: Callable[[V], Any],
    ) -> DataLoader[int, V | None]:
        async def load(ids: list[int]) -> list[V | None]:
            rows = await self._context.run(lambda s: fetch(s, ids))
            found = {key(r): r for r in rows}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    def _many(
        self,
        fetch: Callable[[AsyncSession, Sequence[int]], Awaitable[Sequence[V]]],
        key: Callable[[V], int],
    ) -> DataLoader[int, list[V]]:
        async def load(ids: list[int]) -> list[list[V]]:
            rows = await self._context.run(lambda s: fetch(s, ids))
            grouped: dict[int, list[V]] = defaultdict(list)
            for row in rows:
                grouped[key(row)].append(row)
            return [grouped.get(i, []) for i in ids]

        return DataLoader(load_fn=load)


__all__ = ["Customer", "Grant", "LedgerAllocation", "Loaders", "Wallet"]
