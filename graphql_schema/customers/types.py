from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, cast

import strawberry
from strawberry.scalars import JSON

from app.customers.models import Customer as CustomerModel
from graphql_schema.context import Info

if TYPE_CHECKING:
    from graphql_schema.wallets.types import Wallet


@strawberry.type(description="A customer of yours, identified by your own external id.")
class Customer:
    model: strawberry.Private[CustomerModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field(description="Your id for this customer (unique).")
    def external_id(self) -> str:
        return self.model.external_id

    @strawberry.field
    def name(self) -> str:
        return self.model.name

    @strawberry.field(description="Where invoices and alerts are emailed.")
    def billing_email(self) -> str | None:
        return self.model.billing_email

    @strawberry.field(description="ISO 4217 code of the customer's default currency.")
    def currency(self) -> str:
        return self.model.currency

    @strawberry.field
    def metadata(self) -> JSON:
        return cast(JSON, self.model.metadata_)

    @strawberry.field
    def created_at(self) -> datetime:
        return self.model.created_at

    @strawberry.field(description="The customer's wallets, one per currency.")
    async def wallets(
        self, info: Info
    ) -> list[Annotated[Wallet, strawberry.lazy("graphql_schema.wallets.types")]]:
        from graphql_schema.wallets.types import Wallet

        assert self.model.id is not None
        rows = await info.context.loaders.wallets_of_customer.load(self.model.id)
        return [Wallet(model=w) for w in rows]

    @strawberry.field(description="The wallet in one currency (default: the customer's currency).")
    async def wallet(
        self, info: Info, currency: str | None = None
    ) -> Annotated[Wallet, strawberry.lazy("graphql_schema.wallets.types")] | None:
        from graphql_schema.wallets.types import Wallet

        assert self.model.id is not None
        wanted = (currency or self.model.currency).upper()
        rows = await info.context.loaders.wallets_of_customer.load(self.model.id)
        return next((Wallet(model=w) for w in rows if w.currency == wanted), None)
