from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

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


async def grants_page(
    session: AsyncSession,
    wallet_id: int,
    *,
    after_id: int | None,
    limit: int,
    active_only: bool,
    now: datetime,
) -> list[Grant]:
    statement = (
        select(Grant).where(Grant.wallet_id == wallet_id).order_by(col(Grant.id)).limit(limit)
    )
    if after_id is not None:
        statement = statement.where(col(Grant.id) > after_id)
    if active_only:
        statement = statement.where(col(Grant.remaining) > 0).where(
            (col(Grant.expires_at).is_(None)) | (col(Grant.expires_at) > now)
        )
    return list((await session.exec(statement)).all())


async def burn_order(session: AsyncSession, wallet_id: int, now: datetime) -> list[Grant]:
    """The wallet's usable grants in the order debits draw from them."""
    statement = (
        select(Grant)
        .where(Grant.wallet_id == wallet_id, col(Grant.remaining) > 0)
        .where((col(Grant.expires_at).is_(None)) | (col(Grant.expires_at) > now))
        .order_by(
            col(Grant.priority),
            col(Grant.expires_at).nulls_last(),
            col(Grant.kind),  # "free" sorts before "paid"
            col(Grant.id),
        )
    )
    return list((await session.exec(statement)).all())


async def ledger_page(
    session: AsyncSession,
    wallet_id: int,
    *,
    before_id: int | None,
    limit: int,
    kinds: Sequence[EntryKind] | None,
) -> list[LedgerEntry]:
    """Newest first."""
    statement = (
        select(LedgerEntry)
        .where(LedgerEntry.wallet_id == wallet_id)
        .order_by(col(LedgerEntry.id).desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(col(LedgerEntry.id) < before_id)
    if kinds:
        statement = statement.where(col(LedgerEntry.kind).in_([k.value for k in kinds]))
    return list((await session.exec(statement)).all())


async def entry(session: AsyncSession, entry_id: int) -> LedgerEntry:
    found = await session.get(LedgerEntry, entry_id)
    assert found is not None, f"ledger entry {entry_id} vanished"
    return found


async def allocations_for_entries(
    session: AsyncSession, entry_ids: Sequence[int]
) -> list[LedgerAllocation]:
    statement = (
        select(LedgerAllocation)
        .where(col(LedgerAllocation.entry_id).in_(entry_ids))
        .order_by(col(LedgerAllocation.entry_id), col(LedgerAllocation.grant_id))
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
