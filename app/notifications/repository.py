from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.notifications.models import Email


async def by_key(session: AsyncSession, key: str) -> Email | None:
    return (await session.exec(select(Email).where(Email.key == key))).one_or_none()


async def claim(session: AsyncSession, email_id: int) -> Email | None:
    """Lock the email for one delivery attempt; ``None`` if it is gone or being sent."""
    statement = (
        select(Email)
        .where(Email.id == email_id)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def page(
    session: AsyncSession, *, before_id: int | None, limit: int, customer_id: int | None
) -> list[Email]:
    """Newest first."""
    statement = select(Email).order_by(col(Email.id).desc()).limit(limit)
    if before_id is not None:
        statement = statement.where(col(Email.id) < before_id)
    if customer_id is not None:
        statement = statement.where(Email.customer_id == customer_id)
    return list((await session.exec(statement)).all())
