"""A customer as the API shows it, read from ``app.customers.models.Customer`` (plain fields by
attribute, as in ``graphql_schema/wallets/types.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Parent
from strawberry.scalars import JSON

from app.customers.models import Customer as CustomerModel
from app.wallets.models import Wallet as WalletModel
from graphql_schema.context import Info
from graphql_schema.fields import Reads

if TYPE_CHECKING:
    from graphql_schema.wallets.types import Wallet

LazyWallet = Annotated["Wallet", strawberry.lazy("graphql_schema.wallets.types")]


async def _wallets(customer: Parent[CustomerModel], info: Info) -> list[WalletModel]:
    assert customer.id is not None
    return await info.context.loaders.wallets_of_customer.load(customer.id)


async def _wallet(
    customer: Parent[CustomerModel], info: Info, currency: str | None = None
) -> WalletModel | None:
    wanted = (currency or customer.currency).upper()
    return next((w for w in await _wallets(customer, info) if w.currency == wanted), None)


@strawberry.type(description="A customer of yours, identified by your own external id.")
class Customer:
    is_type_of = Reads(CustomerModel)

    id: strawberry.ID
    external_id: str = strawberry.field(description="Your id for this customer (unique).")
    name: str
    billing_email: str | None = strawberry.field(
        description="Where invoices and alerts are emailed."
    )
    currency: str = strawberry.field(
        description="ISO 4217 code of the customer's default currency."
    )
    metadata_: JSON = strawberry.field(name="metadata")
    created_at: datetime
    wallets: list[WalletModel] = strawberry.field(
        resolver=_wallets,
        graphql_type=list[LazyWallet],
        description="The customer's wallets, one per currency.",
    )
    wallet: WalletModel | None = strawberry.field(
        resolver=_wallet,
        graphql_type=LazyWallet | None,
        description="The wallet in one currency (default: the customer's currency).",
    )
