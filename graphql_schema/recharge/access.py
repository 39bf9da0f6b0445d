"""Who may buy credits for a wallet: an admin API key, or a customer token for its own wallets."""

from __future__ import annotations

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.permission import BasePermission

from app.access.models import Scope
from app.errors import NotFound
from app.wallets import repository as wallets
from app.wallets.models import Wallet
from graphql_schema.context import Info
from graphql_schema.errors import Forbidden
from graphql_schema.pagination import row_id
from graphql_schema.permissions import REFUSED


class CanBuyCredits(BasePermission):
    message = "buying credits needs an API key with the 'admin' scope or a customer token"
    error_extensions = REFUSED

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = info.context.principal
        return principal is not None and (
            principal.customer_id is not None or principal.can(Scope.ADMIN)
        )


def wallet_id(value: Any) -> int:
    found = row_id(value)
    if found is None:
        raise NotFound("walletId", f"no wallet with id {value}")
    return found


async def buyable_wallet(info: Info, session: AsyncSession, value: Any) -> Wallet:
    """The wallet named, if this caller may buy credits for it."""
    wallet = await wallets.get(session, wallet_id(value))
    principal = info.context.principal
    if principal is not None and principal.customer_id not in (None, wallet.customer_id):
        raise Forbidden(f"wallet {value} is not visible to this caller")
    return wallet
