"""Wallet statements (``walletStatement``): opening and closing balance and every movement
grouped by kind, paid and free, with the usage per metric and a CSV of every movement. A
customer token reads only its own wallets. Rules: ``app/wallets/statements.py``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

import graphql_schema.wallets.ledger  # noqa: F401  (registers LedgerEntryKind)
from app.errors import NotFound
from app.wallets import statements
from app.wallets.models import EntryKind
from app.wallets.models import Wallet as WalletModel
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.money import Money, plain
from graphql_schema.pagination import row_id
from graphql_schema.permissions import CanReadCustomer, require_visible
from graphql_schema.scalars import Credits


@strawberry.type(description="The movements of one kind (purchases, grants, usage, …).")
class StatementGroup:
    kind: EntryKind
    entries: int
    credits: Credits = strawberry.field(description="Their sum (signed).")
    paid_credits: Credits
    free_credits: Credits
    debt_credits: Credits = strawberry.field(description="What debits drew from no grant.")
    value: Money = strawberry.field(description="credits × the wallet's rate.")


@strawberry.type(description='What usage paid for: "50 documents analyzed".')
class StatementUsage:
    metric_code: str
    unit_label: str | None
    units: Decimal
    credits: Credits = strawberry.field(description="Credits consumed for it.")
    entries: int


@strawberry.type(description="A wallet's statement: opening + Σ groups = closing, exactly.")
class WalletStatement:
    wallet_id: strawberry.ID
    currency: str
    start: datetime
    end: datetime = strawberry.field(description="Exclusive.")
    opening_balance: Credits
    opening_value: Money
    closing_balance: Credits
    closing_value: Money
    groups: list[StatementGroup]
    usage: list[StatementUsage]
    found: strawberry.Private[statements.Statement]

    @field(description="Every movement, oldest first, as CSV.")
    async def csv(self, info: Info) -> str:
        return await info.context.run(lambda s: statements.to_csv(s, self.found))


def _view(found: statements.Statement) -> WalletStatement:
    currency = found.wallet.currency

    def worth(credits: Decimal) -> Money:
        return Money.of(found.value(credits), currency)

    return WalletStatement(
        wallet_id=strawberry.ID(str(found.wallet.id)),
        currency=currency,
        start=found.period.start,
        end=found.period.end,
        opening_balance=found.opening,
        opening_value=worth(found.opening),
        closing_balance=found.closing,
        closing_value=worth(found.closing),
        groups=[
            StatementGroup(
                kind=g.kind,
                entries=g.entries,
                credits=g.credits,
                paid_credits=g.paid,
                free_credits=g.free,
                debt_credits=g.debt,
                value=worth(g.credits),
            )
            for g in found.groups
        ],
        usage=[
            StatementUsage(
                metric_code=u.metric_code,
                unit_label=u.unit_label,
                units=plain(u.units),
                credits=u.credits,
                entries=u.entries,
            )
            for u in found.usage
        ],
        found=found,
    )


@strawberry.type
class StatementQueries:
    @field(
        permission_classes=[CanReadCustomer],
        description="A wallet's statement for a `month` (2026-03, UTC) or from `start` to `end` "
        f"(at most {statements.MAX_DAYS} days); a customer token: only its own wallets.",
    )
    async def wallet_statement(
        self,
        info: Info,
        wallet_id: strawberry.ID,
        month: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> WalletStatement:
        within = statements.period(month, start, end)
        found_id = row_id(wallet_id)
        if found_id is None:
            raise NotFound("walletId", f"no wallet with id {wallet_id}")

        async def work(session: AsyncSession) -> statements.Statement:
            wallet = await session.get(WalletModel, found_id)
            if wallet is None:
                raise NotFound("walletId", f"no wallet with id {wallet_id}")
            require_visible(info, wallet.customer_id, f"wallet {wallet_id}")
            return await statements.statement(session, found_id, within)

        return _view(await info.context.run(work))
