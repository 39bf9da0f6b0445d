from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.payments.models import Payment, PaymentMethod


async def lock(session: AsyncSession, payment_id: int) -> Payment | None:
    statement = (
        select(Payment)
        .where(Payment.id == payment_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.exec(statement)).one_or_none()


async def by_reference(session: AsyncSession, provider: str, reference: str) -> Payment | None:
    statement = select(Payment).where(
        Payment.provider == provider, Payment.provider_reference == reference
    )
    return (await session.exec(statement)).first()


async def for_invoices(session: AsyncSession, invoice_ids: Sequence[int]) -> list[Payment]:
    statement = (
        select(Payment)
        .where(col(Payment.invoice_id).in_(invoice_ids))
        .order_by(col(Payment.invoice_id), col(Payment.id))
    )
    return list((await session.exec(statement)).all())


async def methods_of(
    session: AsyncSession, customer_id: int, *, lock: bool = False
) -> list[PaymentMethod]:
    statement = (
        select(PaymentMethod)
        .where(PaymentMethod.customer_id == customer_id)
        .order_by(col(PaymentMethod.id))
    )
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return list((await session.exec(statement)).all())


async def methods_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[PaymentMethod]:
    statement = select(PaymentMethod).where(col(PaymentMethod.id).in_(ids))
    return list((await session.exec(statement)).all())
