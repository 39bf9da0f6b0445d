"""Per-operation dataloaders: each batches one kind of lookup into one query (no N+1)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from app.customers import repository as customers
from app.customers.models import Customer
from app.wallets import balances
from app.wallets import repository as wallets
from app.wallets.models import EntryKind, Grant, LedgerAllocation, LedgerEntry, Wallet

if TYPE_CHECKING:
    from graphql_schema.context import Context

K = TypeVar("K")
V = TypeVar("V")
P = TypeVar("P", bound=Hashable)


class _InWallet(Protocol):
    @property
    def wallet_id(self) -> int: ...


W = TypeVar("W", bound=_InWallet)


@dataclass(frozen=True)
class GrantPage:
    """One page of a wallet's grants, oldest first; ``limit`` rows after ``after_id``."""

    after_id: int | None
    limit: int
    active_only: bool


@dataclass(frozen=True)
class LedgerPage:
    """One page of a wallet's ledger, newest first; ``limit`` rows before ``before_id``."""

    before_id: int | None
    limit: int
    kinds: tuple[EntryKind, ...]


Fetch = Callable[[AsyncSession, Sequence[K]], Awaitable[Sequence[V]]]


def one_loader(
    context: Context, fetch: Fetch[K, V], key: Callable[[V], Any]
) -> DataLoader[K, V | None]:
    """At most one row per key (by id): one ``fetch`` for every key asked in a tick."""

    async def load(keys: list[K]) -> list[V | None]:
        rows = await context.run(lambda s: fetch(s, keys))
        found = {key(r): r for r in rows}
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def many_loader(
    context: Context, fetch: Fetch[K, V], key: Callable[[V], K]
) -> DataLoader[K, list[V]]:
    """Every row of each key (children of a parent): one ``fetch`` per tick."""

    async def load(keys: list[K]) -> list[list[V]]:
        rows = await context.run(lambda s: fetch(s, keys))
        grouped: dict[K, list[V]] = defaultdict(list)
        for row in rows:
            grouped[key(row)].append(row)
        return [grouped.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


class Loaders:
    def __init__(self, context: Context) -> None:
        self._context = context
        self.customer = one_loader(context, customers.by_ids, lambda c: c.id)
        self.wallet = one_loader(context, wallets.by_ids, lambda w: w.id)
        self.grant = one_loader(context, wallets.grants_by_ids, lambda g: g.id)
        self.wallets_of_customer = many_loader(
            context, wallets.for_customers, lambda w: w.customer_id
        )
        self.allocations = many_loader(
            context, wallets.allocations_for_entries, lambda a: a.entry_id
        )
        self.due: DataLoader[int, Decimal] = DataLoader(load_fn=self._due)
        self.grant_pages: DataLoader[tuple[int, GrantPage], list[Grant]] = self._pages(self._grants)
        self.ledger_pages: DataLoader[tuple[int, LedgerPage], list[LedgerEntry]] = self._pages(
            _ledger
        )

    def _pages(
        self, fetch: Callable[[AsyncSession, list[int], P], Awaitable[Sequence[W]]]
    ) -> DataLoader[tuple[int, P], list[W]]:
        """Pages of many wallets: one query per distinct page request (usually one)."""

        async def load(keys: list[tuple[int, P]]) -> list[list[W]]:
            pages: dict[tuple[int, P], list[W]] = defaultdict(list)
            for page in dict.fromkeys(p for _, p in keys):
                ids = [wallet_id for wallet_id, p in keys if p == page]
                for row in await self._page_rows(fetch, ids, page):
                    pages[(row.wallet_id, page)].append(row)
            return [pages.get(key, []) for key in keys]

        return DataLoader(load_fn=load)

    async def _page_rows(
        self,
        fetch: Callable[[AsyncSession, list[int], P], Awaitable[Sequence[W]]],
        wallet_ids: list[int],
        page: P,
    ) -> Sequence[W]:
        return await self._context.run(lambda s: fetch(s, wallet_ids, page))

    async def _due(self, wallet_ids: list[int]) -> list[Decimal]:
        """Per wallet, the credits expired at the operation's moment and not yet written off
        (``app.wallets.balances``)."""
        now = self._context.now
        found = await self._context.run(lambda s: balances.due(s, wallet_ids, now))
        return [found.get(wallet_id, Decimal(0)) for wallet_id in wallet_ids]

    async def _grants(
        self, session: AsyncSession, wallet_ids: list[int], page: GrantPage
    ) -> list[Grant]:
        return await wallets.grants_pages(
            session,
            wallet_ids,
            after_id=page.after_id,
            limit=page.limit,
            active_only=page.active_only,
            now=self._context.now,
        )


async def _ledger(
    session: AsyncSession, wallet_ids: list[int], page: LedgerPage
) -> list[LedgerEntry]:
    return await wallets.ledger_pages(
        session, wallet_ids, before_id=page.before_id, limit=page.limit, kinds=page.kinds
    )


__all__ = ["Customer", "Grant", "LedgerAllocation", "Loaders", "Wallet"]
