from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.invoices.errors import NotFound
from app.invoices.models import Invoice, InvoiceLine, InvoiceStatus, InvoiceType


async def get(session: AsyncSession, invoice_id: int, field: str = "invoiceId") -> Invoice:
    invoice = await session.get(Invoice, invoice_id)
    if invoice is None:
        raise NotFound(field, f"no invoice with id {invoice_id}")
    return invoice


async def lock(session: AsyncSession, invoice_id: int, field: str = "invoiceId") -> Invoice:
    statement = (
        select(Invoice)
        .where(Invoice.id == invoice_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    invoice = (await session.exec(statement)).one_or_none()
    if invoice is None:
        raise NotFound(field, f"no invoice with id {invoice_id}")
    return invoice


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Invoice]:
    return list((await session.exec(select(Invoice).where(col(Invoice.id).in_(ids)))).all())


async def page(
    session: AsyncSession,
    *,
    customer_id: int | None,
    status: InvoiceStatus | None,
    before_id: int | None,
    limit: int,
    type: InvoiceType | None = None,
    subscription_id: int | None = None,
) -> list[Invoice]:
    """Newest first."""
    statement = select(Invoice).order_by(col(Invoice.id).desc()).limit(limit)
    if customer_id is not None:
        statement = statement.where(Invoice.customer_id == customer_id)
    if status is not None:
        statement = statement.where(Invoice.status == status)
    if type is not None:
        statement = statement.where(Invoice.type == type)
    if subscription_id is not None:
        statement = statement.where(Invoice.subscription_id == subscription_id)
    if before_id is not None:
        statement = statement.where(col(Invoice.id) < before_id)
    return list((await session.exec(statement)).all())


async def lines_for(session: AsyncSession, invoice_ids: Sequence[int]) -> list[InvoiceLine]:
    statement = (
        select(InvoiceLine)
        .where(col(InvoiceLine.invoice_id).in_(invoice_ids))
        .order_by(col(InvoiceLine.invoice_id), col(InvoiceLine.position))
    )
    return list((await session.exec(statement)).all())
