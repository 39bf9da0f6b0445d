from __future__ import annotations

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.operators.models import Operator, Role


async def by_email(session: AsyncSession, email: str) -> Operator | None:
    statement = select(Operator).where(func.lower(Operator.email) == email.strip().lower())
    return (await session.exec(statement)).one_or_none()


async def get(session: AsyncSession, operator_id: int) -> Operator:
    found = await session.get(Operator, operator_id)
    if found is None:
        raise NotFound("id", f"no operator with id {operator_id}")
    return found


async def listing(session: AsyncSession) -> list[Operator]:
    return list((await session.exec(select(Operator).order_by(col(Operator.id)))).all())


async def active_admins(session: AsyncSession) -> int:
    statement = select(func.count()).where(
        Operator.role == Role.ADMIN, col(Operator.disabled_at).is_(None)
    )
    return int((await session.exec(statement)).one())
