"""``invoice.updated`` live messages: every change of an invoice, on its customer's channel,
written to the outbox in the transaction that made the change.

The changes are the invoice's lifecycle (``app.invoices``): ``finalized`` (numbered and due;
a draft is never committed on its own, so this is when an invoice appears, the moment of the
``invoice.created`` webhook), ``paid``, ``payment_failed`` (it stays owed), ``voided`` and
``overdue`` (found unpaid past its due date, ``app.billing.overdue``). Each message carries
the invoice as it stands after the change, so a subscriber needs nothing else to show it.
Messages are never coalesced: a subscriber sees each change, in commit order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox

TYPE = "invoice.updated"


class InvoiceChange(StrEnum):
    FINALIZED = "finalized"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"
    VOIDED = "voided"
    OVERDUE = "overdue"


FIELDS = (
    "id, number, customer_id, wallet_id, type, status, payment_status, currency, total_minor, "
    "finalized_at, due_at, paid_at, voided_at, void_reason, subscription_id, period_start, "
    "period_end, threshold_minor, overdue_at, credits_paid, created_at"
)
BY_ID = text(f"SELECT {FIELDS} FROM invoices WHERE id = ANY(:ids) ORDER BY id")


def channel(customer_id: int) -> str:
    return f"customer:{customer_id}"


def _time(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _value(value: Any) -> Any:
    """An enum's value (ORM rows) or the stored text (SQL rows)."""
    return getattr(value, "value", value)


def _credits(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def invoice_of(row: Any) -> dict[str, Any]:
    """The invoice as subscribers see it, from an ``Invoice`` or a row of ``BY_ID``."""
    return {
        "id": row.id,
        "number": row.number,
        "type": _value(row.type),
        "status": _value(row.status),
        "payment_status": _value(row.payment_status),
        "currency": row.currency,
        "total_minor": row.total_minor,
        "wallet_id": row.wallet_id,
        "subscription_id": row.subscription_id,
        "finalized_at": _time(row.finalized_at),
        "due_at": _time(row.due_at),
        "paid_at": _time(row.paid_at),
        "voided_at": _time(row.voided_at),
        "void_reason": row.void_reason,
        "overdue_at": _time(row.overdue_at),
        "period_start": _time(row.period_start),
        "period_end": _time(row.period_end),
        "threshold_minor": row.threshold_minor,
        "credits_paid": _credits(row.credits_paid),
        "created_at": _time(row.created_at),
    }


def message_of(
    row: Any,
    change: InvoiceChange,
    committed_at: datetime,
    failure_reason: str | None = None,
) -> dict[str, Any]:
    return {
        "type": TYPE,
        "change": change.value,
        "customer_id": row.customer_id,
        "invoice": invoice_of(row),
        "failure_reason": failure_reason,
        "committed_at": committed_at.isoformat(),
    }


async def publish_invoice_update(
    session: AsyncSession,
    invoice: Any,
    change: InvoiceChange,
    now: datetime,
    *,
    failure_reason: str | None = None,
) -> None:
    """Announce a change of ``invoice`` (an ``app.invoices`` ``Invoice``, flushed, as it stands
    now) once this commits. Typed loosely: the invoices domain publishes here, so this channel
    does not import it."""
    message = message_of(invoice, change, now, failure_reason)
    await outbox.publish(session, channel(invoice.customer_id), message, now)


async def publish_invoice_updates(
    session: AsyncSession, invoice_ids: Sequence[int], change: InvoiceChange, now: datetime
) -> None:
    """Announce the same change of several invoices changed by SQL (read back as they stand)."""
    if not invoice_ids:
        return
    connection = await session.connection()
    rows = (await connection.execute(BY_ID, {"ids": list(invoice_ids)})).all()
    messages = [(channel(r.customer_id), message_of(r, change, now)) for r in rows]
    if messages:
        await outbox.publish_many(session, messages, now)
