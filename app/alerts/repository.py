from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts.models import AlertFiring, AlertLevel, AlertSettings, AlertState


async def settings(session: AsyncSession, wallet_id: int) -> AlertSettings | None:
    return await session.get(AlertSettings, wallet_id)


async def levels(session: AsyncSession, wallet_id: int) -> list[AlertLevel]:
    statement = select(AlertLevel).where(AlertLevel.wallet_id == wallet_id)
    return list((await session.exec(statement)).all())


async def states(session: AsyncSession, wallet_id: int) -> list[AlertState]:
    statement = select(AlertState).where(AlertState.wallet_id == wallet_id)
    return list((await session.exec(statement)).all())


async def clear_levels(session: AsyncSession, wallet_id: int) -> None:
    await session.exec(delete(AlertLevel).where(col(AlertLevel.wallet_id) == wallet_id))


async def lock_unnotified(session: AsyncSession, firing_ids: Sequence[int]) -> list[AlertFiring]:
    """The firings not yet announced, locked, lowest level first."""
    statement = (
        select(AlertFiring)
        .where(col(AlertFiring.id).in_(firing_ids), col(AlertFiring.notified_at).is_(None))
        .order_by(col(AlertFiring.level), col(AlertFiring.id))
        .with_for_update()
    )
    return list((await session.exec(statement)).all())


async def firings_page(
    session: AsyncSession, *, wallet_id: int | None, before_id: int | None, limit: int
) -> list[AlertFiring]:
    """Newest first."""
    statement = select(AlertFiring).order_by(col(AlertFiring.id).desc()).limit(limit)
    if wallet_id is not None:
        statement = statement.where(AlertFiring.wallet_id == wallet_id)
    if before_id is not None:
        statement = statement.where(col(AlertFiring.id) < before_id)
    return list((await session.exec(statement)).all())
