"""``wallet.updated`` webhooks: after a transaction that changed balances, and only when an
active endpoint listens to the type, one ``webhooks.announce_wallets`` job announces each
changed wallet's state. On the hot path this is an indexed ``EXISTS`` inside the balance
reactions' one statement (``app.flows.balance_reactions``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app import outbox
from app.announcements import once
from app.customers import Customer
from app.db.statements import WalletReaction
from app.money import plain_credits
from app.wallets import Wallet
from app.webhooks import service

ANNOUNCE = "webhooks.announce_wallets"
LISTENERS = (
    "SELECT 1 FROM webhook_endpoints "
    "WHERE active AND event_types @> ARRAY['wallet.updated']::varchar[]"
)


async def _listening(
    session: AsyncSession, wallet_ids: Sequence[int], rows: list[Any], now: datetime
) -> None:
    payload = {"wallet_ids": list(wallet_ids), "key": once()}
    await outbox.enqueue(session, ANNOUNCE, payload, now)


# Its part of the balance reactions: one row when an endpoint listens.
WALLET_REACTION = WalletReaction(
    "webhooks", "", f"SELECT 'webhooks'::text, NULL::jsonb WHERE EXISTS ({LISTENERS})", _listening
)


async def announce(
    session: AsyncSession, wallet_ids: Sequence[int], now: datetime, key: str | None = None
) -> int:
    """Emit one ``wallet.updated`` event per wallet, with its state now (once per ``key``: a
    second run of the same job announces nothing more)."""
    statement = (
        select(Wallet, Customer)
        .join(Customer, col(Customer.id) == col(Wallet.customer_id))
        .where(col(Wallet.id).in_(wallet_ids))
        .order_by(col(Wallet.id))
    )
    rows = (await session.exec(statement)).all()
    for wallet, customer in rows:
        data = {
            "wallet_id": wallet.id,
            "customer_id": customer.id,
            "customer_external_id": customer.external_id,
            "currency": wallet.currency,
            "balance": plain_credits(wallet.balance),
            "debt": plain_credits(wallet.debt),
            "reference_balance": plain_credits(wallet.reference_balance),
            "updated_at": wallet.updated_at.isoformat(),
        }
        event_key = f"{key}:{wallet.id}" if key is not None else None
        await service.emit(session, "wallet.updated", data, now, key=event_key)
    return len(rows)
