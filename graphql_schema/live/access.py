"""Who may watch what: checked once, when a subscription starts, in its own short transaction.

An unknown id and another customer's id get the same refusal, so ids cannot be probed. The id
is checked as every argument is at the edge (``EdgeChecks`` does not see a subscription's
arguments): one PostgreSQL could not store, or too long, is a ``ValidationFailed`` naming it —
echoed in the refusal, a lone surrogate made the answer impossible to send."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import strawberry
from sqlmodel import SQLModel

from app.customers.models import Customer
from app.inputs import check_text
from app.wallets.models import Wallet
from graphql_schema.context import Info
from graphql_schema.errors import Forbidden
from graphql_schema.pagination import row_id
from graphql_schema.permissions import require_visible

M = TypeVar("M", bound=SQLModel)


async def _visible(
    info: Info,
    model: type[M],
    raw_id: strawberry.ID,
    what: str,
    owner: Callable[[M], int | None],
    field: str,
) -> M:
    check_text(str(raw_id), field)
    found = None
    number = row_id(raw_id)
    if number is not None:
        async with info.context.runtime.db.transaction() as session:
            found = await session.get(model, number)
    customer_id = None if found is None else owner(found)
    if found is None or customer_id is None:
        raise Forbidden(f"{what} {raw_id} is not visible to this caller")
    require_visible(info, customer_id, f"{what} {raw_id}")
    return found


async def visible_wallet(info: Info, wallet_id: strawberry.ID) -> int:
    wallet = await _visible(info, Wallet, wallet_id, "wallet", lambda w: w.customer_id, "walletId")
    assert wallet.id is not None
    return wallet.id


async def visible_customer(info: Info, customer_id: strawberry.ID) -> int:
    customer = await _visible(info, Customer, customer_id, "customer", lambda c: c.id, "customerId")
    assert customer.id is not None
    return customer.id
