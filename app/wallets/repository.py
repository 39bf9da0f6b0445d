from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, FromClause, text, true
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import sql
from app.wallets.errors import NotFound
from app.wallets.models import (
    Bundle,
    EntryKind,
    Grant,
    LedgerAllocation,
    LedgerEntry,
    SignupBonus,
    Wallet,
)

R = TypeVar("R")


async def get(session: AsyncSession, wallet_id: int, field: str = "walletId") -> Wallet:
    wallet = await session.get(Wallet, wallet_id)
    if wallet is None:
        raise NotFound(field, f"no wallet with id {wallet_id}")
    return wallet


async def for_customers(session: AsyncSession, customer_ids: Sequence[int]) -> list[Wallet]:
    statement = (
        select(Wallet).where(col(Wallet.customer_id).in_(customer_ids)).order_by(col(Wallet.id))
    )
    return list((await session.exec(statement)).all())


async def for_customer(session: AsyncSession, customer_id: int, currency: str) -> Wallet | None:
    statement = select(Wallet).where(Wallet.customer_id == customer_id, Wallet.currency == currency)
    return (await session.exec(statement)).one_or_none()


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Wallet]:
    return list((await session.exec(select(Wallet).where(col(Wallet.id).in_(ids)))).all())


async def grants_pages(
    session: AsyncSession,
    wallet_ids: Sequence[int],
    *,
    after_id: int | None,
    limit: int,
    active_only: bool,
    now: datetime,
) -> list[Grant]:
    """Up to ``limit`` grants of each wallet after ``after_id``, oldest first."""
    page = select(Grant).where(Grant.wallet_id == Wallet.id).order_by(col(Grant.id)).limit(limit)
    if after_id is not None:
        page = page.where(col(Grant.id) > after_id)
    if active_only:
        page = page.where(col(Grant.remaining) > 0).where(
            (col(Grant.expires_at).is_(None)) | (col(Grant.expires_at) > now)
        )
    lateral = page.lateral()
    grant = aliased(Grant, lateral)
    return await _per_wallet(session, lateral, grant, wallet_ids, col(grant.id).asc())


async def _per_wallet(
    session: AsyncSession,
    lateral: FromClause,
    row: type[R],
    wallet_ids: Sequence[int],
    order: ColumnElement[Any],
) -> list[R]:
    """One statement for many wallets' pages: an index scan with LIMIT per wallet (LATERAL)."""
    statement = (
        select(row)
        .select_from(Wallet)
        .join(lateral, true())
        .where(col(Wallet.id).in_(wallet_ids))
        .order_by(col(Wallet.id), order)
    )
    return list((await session.exec(statement)).all())


# The order debits draw from grants (as ``tally_draw`` in ``sql/tally_draw.sql``): lower priority
# number, earliest expiry (none last), free before paid, oldest.
BURN_ORDER = (
    col(Grant.priority),
    col(Grant.expires_at).nulls_last(),
    col(Grant.kind),  # "free" sorts before "paid"
    col(Grant.id),
)


async def burn_order(session: AsyncSession, wallet_id: int, now: datetime) -> list[Grant]:
    """The wallet's usable grants in the order debits draw from them."""
    statement = (
        select(Grant)
        .where(Grant.wallet_id == wallet_id, col(Grant.remaining) > 0)
        .where((col(Grant.expires_at).is_(None)) | (col(Grant.expires_at) > now))
        .order_by(*BURN_ORDER)
    )
    return list((await session.exec(statement)).all())


async def ledger_pages(
    session: AsyncSession,
    wallet_ids: Sequence[int],
    *,
    before_id: int | None,
    limit: int,
    kinds: Sequence[EntryKind] | None,
) -> list[LedgerEntry]:
    """Up to ``limit`` entries of each wallet before ``before_id``, newest first."""
    page = (
        select(LedgerEntry)
        .where(LedgerEntry.wallet_id == Wallet.id)
        .order_by(col(LedgerEntry.id).desc())
        .limit(limit)
    )
    if before_id is not None:
        page = page.where(col(LedgerEntry.id) < before_id)
    if kinds:
        page = page.where(col(LedgerEntry.kind).in_([k.value for k in kinds]))
    lateral = page.lateral()
    entry = aliased(LedgerEntry, lateral)
    return await _per_wallet(session, lateral, entry, wallet_ids, col(entry.id).desc())


async def entry(session: AsyncSession, entry_id: int) -> LedgerEntry:
    found = await session.get(LedgerEntry, entry_id)
    assert found is not None, f"ledger entry {entry_id} vanished"
    return found


async def allocations_for_entries(
    session: AsyncSession, entry_ids: Sequence[int]
) -> list[LedgerAllocation]:
    """Each entry's draws in burn order — the order the debit took them in: the burn order's
    keys (priority, expiry, kind, id) never change once a grant exists."""
    statement = (
        select(LedgerAllocation)
        .join(Grant, col(Grant.id) == col(LedgerAllocation.grant_id))
        .where(col(LedgerAllocation.entry_id).in_(entry_ids))
        .order_by(col(LedgerAllocation.entry_id), *BURN_ORDER)
    )
    return list((await session.exec(statement)).all())


async def grants_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Grant]:
    return list((await session.exec(select(Grant).where(col(Grant.id).in_(ids)))).all())


async def wallets_with_due_grants(session: AsyncSession, now: datetime) -> list[int]:
    rows = await (await session.connection()).execute(
        text(
            "SELECT DISTINCT wallet_id FROM grants "
            "WHERE remaining > 0 AND expires_at <= :now ORDER BY wallet_id"
        ),
        {"now": now},
    )
    return [int(r[0]) for r in rows]


async def bundles(session: AsyncSession, *, active_only: bool) -> list[Bundle]:
    statement = select(Bundle).order_by(col(Bundle.price_minor), col(Bundle.id))
    if active_only:
        statement = statement.where(col(Bundle.active).is_(True))
    return list((await session.exec(statement)).all())


async def bundle_by_code(session: AsyncSession, code: str, field: str = "code") -> Bundle:
    found = (await session.exec(select(Bundle).where(Bundle.code == code))).one_or_none()
    if found is None:
        raise NotFound(field, f"no bundle with code '{code}'")
    return found


async def signup_bonus(session: AsyncSession) -> SignupBonus | None:
    return await session.get(SignupBonus, 1)


CONSUMPTION_BY_DAY = text(sql.load("app.wallets", "consumption_by_day"))

# Balances at ``:now``: without the credits of grants expired since their wallet's last write
# (``app.wallets.balances``).
TOTALS = text(sql.load("app.wallets", "totals"))


async def consumption_by_day(
    session: AsyncSession, since: datetime, customer_id: int | None = None
) -> list[Any]:
    """Credits consumed per UTC day since ``since`` (days without consumption are absent)."""
    connection = await session.connection()
    rows = await connection.execute(
        CONSUMPTION_BY_DAY, {"since": since, "customer_id": customer_id}
    )
    return list(rows.all())


async def totals_by_currency(session: AsyncSession, now: datetime) -> list[Any]:
    """Per currency at ``now``: wallets, credits outstanding (positive balances), debt, their
    value."""
    connection = await session.connection()
    return list((await connection.execute(TOTALS, {"now": now})).all())


USAGE_BY_METRIC = text(sql.load("app.wallets", "usage_by_metric"))


async def usage_by_metric(session: AsyncSession, customer_id: int, since: datetime) -> list[Any]:
    """One customer's consumption per metric since ``since``: units and credits, most first."""
    connection = await session.connection()
    rows = await connection.execute(USAGE_BY_METRIC, {"since": since, "customer_id": customer_id})
    return list(rows.all())
