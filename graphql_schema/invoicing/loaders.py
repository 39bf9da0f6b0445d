"""Per-operation dataloaders for invoices, their lines and payments, payment methods and
recharges, kept beside the operation's context (no N+1 on lists)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from app.invoicing import repository as invoices
from app.invoicing.models import Invoice, InvoiceLine
from app.payments import repository as payments
from app.payments.models import Payment, PaymentMethod
from graphql_schema.context import Context, Info

V = TypeVar("V")
Fetch = Callable[[AsyncSession, Sequence[int]], Awaitable[Sequence[V]]]


class BillingLoaders:
    def __init__(self, context: Context) -> None:
        self._context = context
        self.invoice: DataLoader[int, Invoice | None] = self._one(invoices.by_ids, lambda i: i.id)
        self.lines: DataLoader[int, list[InvoiceLine]] = self._many(
            invoices.lines_for, lambda line: line.invoice_id
        )
        self.payments: DataLoader[int, list[Payment]] = self._many(
            payments.for_invoices, lambda p: p.invoice_id
        )
        self.method: DataLoader[int, PaymentMethod | None] = self._one(
            payments.methods_by_ids, lambda m: m.id
        )

    def _one(self, fetch: Fetch[V], key: Callable[[V], Any]) -> DataLoader[int, V | None]:
        async def load(ids: list[int]) -> list[V | None]:
            rows = await self._context.run(lambda s: fetch(s, ids))
            found = {key(r): r for r in rows}
            return [found.get(i) for i in ids]

        return DataLoader(load_fn=load)

    def _many(self, fetch: Fetch[V], key: Callable[[V], int]) -> DataLoader[int, list[V]]:
        async def load(ids: list[int]) -> list[list[V]]:
            rows = await self._context.run(lambda s: fetch(s, ids))
            grouped: dict[int, list[V]] = defaultdict(list)
            for row in rows:
                grouped[key(row)].append(row)
            return [grouped.get(i, []) for i in ids]

        return DataLoader(load_fn=load)


_LOADERS: WeakKeyDictionary[Context, BillingLoaders] = WeakKeyDictionary()


def billing_loaders(info: Info) -> BillingLoaders:
    """The loaders of this operation (made on first use, gone with its context)."""
    context = info.context
    found = _LOADERS.get(context)
    if found is None:
        found = _LOADERS[context] = BillingLoaders(context)
    return found
