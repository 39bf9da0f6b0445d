"""Gapless invoice numbers: ``TLY-000042``.

``next_number`` increments the series' counter row with an upsert; the row stays locked until
the finalizing transaction ends, so a rollback gives the number back and the next transaction
takes it. Finalizations in one series therefore queue on that row for the rest of their
transaction: invoices are finalized in short transactions, never on the event hot path.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db import sql
from app.errors import ValidationFailed

DIGITS = 6
SERIES_MAX = 16

NEXT = text(sql.load("app.invoices", "next_number"))


def series(prefix: str) -> str:
    candidate = prefix.strip().upper()
    if not candidate or len(candidate) > SERIES_MAX or not candidate.isalnum():
        raise ValidationFailed("invoicePrefix", f"'{prefix}' is not 1-16 letters or digits")
    return candidate


def format_number(prefix: str, number: int) -> str:
    return f"{prefix}-{number:0{DIGITS}d}"


async def next_number(session: AsyncSession, prefix: str) -> str:
    """Take the series' next number (held until this transaction ends)."""
    name = series(prefix)
    result = await (await session.connection()).execute(NEXT, {"series": name})
    return format_number(name, int(result.scalar_one()))
