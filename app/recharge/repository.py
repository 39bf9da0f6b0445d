from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import text
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.recharge.models import Recharge, RechargeRule, TopUpOptions


async def lock(session: AsyncSession, recharge_id: int) -> Recharge | None:
    statement = (
        select(Recharge)
        .where(Recharge.id == recharge_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def lock_for_invoice(session: AsyncSession, invoice_id: int) -> Recharge | None:
    statement = (
        select(Recharge)
        .where(Recharge.invoice_id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Recharge]:
    return list((await session.exec(select(Recharge).where(col(Recharge.id).in_(ids)))).all())


async def page(
    session: AsyncSession, wallet_id: int, *, before_id: int | None, limit: int
) -> list[Recharge]:
    """A wallet's recharges, newest first."""
    statement = (
        select(Recharge)
        .where(Recharge.wallet_id == wallet_id)
        .order_by(col(Recharge.id).desc())
        .limit(limit)
    )
    if before_id is not None:
        statement = statement.where(col(Recharge.id) < before_id)
    return list((await session.exec(statement)).all())


async def rule_of(
    session: AsyncSession, wallet_id: int, *, lock: bool = False
) -> RechargeRule | None:
    statement = select(RechargeRule).where(RechargeRule.wallet_id == wallet_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return (await session.exec(statement)).one_or_none()


async def lock_rule(session: AsyncSession, rule_id: int) -> RechargeRule | None:
    statement = (
        select(RechargeRule)
        .where(RechargeRule.id == rule_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def options(session: AsyncSession, wallet_id: int) -> TopUpOptions | None:
    return await session.get(TopUpOptions, wallet_id)


async def month_to_date(
    session: AsyncSession, rule_id: int, month_start: datetime
) -> tuple[int, int]:
    """How many of the rule's recharges since ``month_start`` went ahead, and what they cost."""
    statement = text(
        "SELECT count(*), coalesce(sum(i.total_minor), 0) FROM recharges r "
        "LEFT JOIN invoices i ON i.id = r.invoice_id "
        "WHERE r.rule_id = :rule AND r.created_at >= :start AND r.invoice_id IS NOT NULL "
        "AND r.status IN ('pending', 'succeeded')"
    )
    row = (
        await (await session.connection()).execute(
            statement, {"rule": rule_id, "start": month_start}
        )
    ).one()
    return int(row[0]), int(row[1])


async def grants_of_invoice(session: AsyncSession, wallet_id: int, invoice_id: int) -> list[int]:
    """The grants a credit-purchase invoice put into the wallet (read from the ledger)."""
    statement = text(
        "SELECT grant_id FROM ledger_entries WHERE wallet_id = :w AND cause_type = 'invoice' "
        "AND cause_id = :c AND kind IN ('purchase', 'grant') AND grant_id IS NOT NULL "
        "ORDER BY id"
    )
    rows = await (await session.connection()).execute(
        statement, {"w": wallet_id, "c": str(invoice_id)}
    )
    return [int(r[0]) for r in rows]
