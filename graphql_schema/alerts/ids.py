from __future__ import annotations

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import NotFound
from app.wallets import repository as wallets
from graphql_schema.context import Info
from graphql_schema.pagination import row_id
from graphql_schema.permissions import require_visible


def parse_wallet_id(value: strawberry.ID, field: str = "walletId") -> int:
    found = row_id(value)
    if found is None:
        raise NotFound(field, f"no wallet with id {value}")
    return found


async def visible_wallet_id(info: Info, session: AsyncSession, value: strawberry.ID) -> int:
    """The wallet's id, if this caller may see it (a customer token: only its own wallets)."""
    wallet = await wallets.get(session, parse_wallet_id(value))
    require_visible(info, wallet.customer_id, f"wallet {value}")
    assert wallet.id is not None
    return wallet.id
