from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.scalars import JSON

from app.customers import service
from app.customers.models import Customer as CustomerModel
from app.customers.service import UNSET, CustomerInput
from app.wallets import service as wallets
from app.wallets.models import DepletionPolicy
from app.wallets.models import Wallet as WalletModel
from graphql_schema.context import Info
from graphql_schema.customers.types import Customer
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.permissions import IsAdmin
from graphql_schema.scalars import Credits
from graphql_schema.wallets.types import Wallet


@strawberry.input(description="Open the customer's first wallet at once.")
class NewWalletInput:
    rate: Decimal = strawberry.field(description='Money value of one credit, e.g. "0.01".')
    currency: str | None = strawberry.field(default=None, description="Default: the customer's.")
    policy: DepletionPolicy = DepletionPolicy.ALLOW
    overdraft_limit: Credits | None = None


@strawberry.input
class CreateCustomerInput:
    external_id: str
    name: str
    currency: str
    billing_email: str | None = None
    metadata: JSON | None = None
    wallet: NewWalletInput | None = None


@strawberry.input(description="Fields left out are unchanged; billingEmail null clears it.")
class UpdateCustomerInput:
    external_id: str
    name: str | None = None
    billing_email: str | None = strawberry.UNSET
    metadata: JSON | None = None


@strawberry.type
class CustomerPayload:
    customer: CustomerModel = strawberry.field(graphql_type=Customer)
    wallet: WalletModel | None = strawberry.field(default=None, graphql_type=Wallet | None)


CustomerResult: TypeAlias = Annotated[CustomerPayload | Failure, strawberry.union("CustomerResult")]


def _object(value: JSON | None, default: dict[str, Any] | None) -> Any:
    """JSON input; the service checks it is an object (and names the field if not)."""
    return default if value is None else value


@strawberry.type
class CustomerMutations:
    @mutation(
        permission_classes=[IsAdmin],
        description="Create a customer (and, with `wallet`, its first wallet and signup bonus).",
    )
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> CustomerResult:
        now = info.context.now

        async def work(session: AsyncSession) -> CustomerPayload:
            data = CustomerInput(
                external_id=input.external_id,
                name=input.name,
                currency=input.currency,
                billing_email=input.billing_email,
                metadata=_object(input.metadata, {}),
            )
            customer = await service.create(session, data, now)
            wallet = None
            if input.wallet is not None:
                wallet = await wallets.create_wallet(
                    session,
                    customer,
                    currency=input.wallet.currency,
                    rate=input.wallet.rate,
                    policy=input.wallet.policy,
                    overdraft_limit=input.wallet.overdraft_limit,
                    now=now,
                )
            return CustomerPayload(customer=customer, wallet=wallet)

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdmin])
    async def update_customer(self, info: Info, input: UpdateCustomerInput) -> CustomerResult:
        now = info.context.now

        async def work(session: AsyncSession) -> CustomerPayload:
            email = UNSET if input.billing_email is strawberry.UNSET else input.billing_email
            customer = await service.update(
                session,
                input.external_id,
                now,
                name=input.name,
                billing_email=email,
                metadata=_object(input.metadata, None),
            )
            return CustomerPayload(customer=customer)

        return await attempt(info, work)
