"""Balances exact at the moment they are read.

A grant whose ``expires_at`` has passed is expired in the ledger by the next change of its
wallet (every debit and credit expires due grants first) or by the scheduler's sweep, within a
minute; until then its credits are still in ``wallets.balance``. Reads do not wait for either:
they subtract what is **due** — the remaining credits of grants expired at the moment of the
read — in the statement that reads the balance (an index probe on the wallet's grants with
credits left, ``ix_grants_burn_order``).

Computed in the read, not expired by it: a read stays a read (the ``read`` scope, customer
tokens and the console's viewers only read, and take no row lock), entitlement stays one
indexed read, and the ledger keeps one writer of expiry entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.wallets.models import Grant


def due_sql(wallet_id: str, now: str) -> str:
    """SQL: the credits of the wallet ``wallet_id`` (a column) that expired at ``now`` (a
    parameter) and are not yet written off."""
    return (
        "(SELECT coalesce(sum(g.remaining), 0) FROM grants g"
        f" WHERE g.wallet_id = {wallet_id} AND g.remaining > 0 AND g.expires_at <= {now})"
    )


DUE = text(
    "SELECT wallet_id, sum(remaining) AS credits FROM grants"
    " WHERE wallet_id = ANY(:ids) AND remaining > 0 AND expires_at <= :now GROUP BY wallet_id"
)


async def due(
    session: AsyncSession, wallet_ids: Sequence[int], now: datetime
) -> dict[int, Decimal]:
    """Per wallet, the credits expired at ``now`` and not yet written off (absent: none)."""
    connection = await session.connection()
    rows = await connection.execute(DUE, {"ids": list(wallet_ids), "now": now})
    return {int(row.wallet_id): Decimal(row.credits) for row in rows}


def remaining(grant: Grant, now: datetime) -> Decimal:
    """What is left of a grant at ``now``: nothing once it has expired."""
    if grant.expires_at is not None and grant.expires_at <= now:
        return Decimal(0)
    return grant.remaining
