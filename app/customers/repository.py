from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.customers.errors import NotFound
from app.customers.models import Customer


async def by_external_id(session: AsyncSession, external_id: str) -> Customer | None:
    statement = select(Customer).where(Customer.external_id == external_id)
    return (await session.exec(statement)).one_or_none()


async def get_by_external_id(
    session: AsyncSession, external_id: str, field: str = "customerExternalId"
) -> Customer:
    customer = await by_external_id(session, external_id)
    if customer is None:
        raise NotFound(field, f"no customer with external id '{external_id}'")
    return customer


async def lock(session: AsyncSession, customer_id: int) -> None:
    """Hold the customer's row lock until the transaction ends (serializes wallet opening)."""
    statement = select(Customer.id).where(Customer.id == customer_id).with_for_update()
    await session.exec(statement)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Customer]:
    statement = select(Customer).where(col(Customer.id).in_(ids))
    return list((await session.exec(statement)).all())


async def page(
    session: AsyncSession, *, after_id: int | None, limit: int, search: str | None
) -> list[Customer]:
    """Customers by id, ``limit`` of them after ``after_id``, optionally matching ``search``
    (a case-insensitive prefix of the name or the external id, or the whole billing email)."""
    statement = select(Customer).order_by(col(Customer.id)).limit(limit)
    if after_id is not None:
        statement = statement.where(col(Customer.id) > after_id)
    if search:
        prefix = (
            search.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            + "%"
        )
        statement = statement.where(
            or_(
                func.lower(Customer.name).like(prefix),
                func.lower(Customer.external_id).like(prefix),
                func.lower(Customer.billing_email) == search.strip().lower(),
            )
        )
    return list((await session.exec(statement)).all())
