from __future__ import annotations

from decimal import Decimal
from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.customers import repository as customers
from app.errors import NotFound
from app.plans import entitlement as plans
from app.wallets import balances, repository, service
from app.wallets.models import Bundle as BundleModel
from app.wallets.models import SignupBonus as SignupBonusModel
from app.wallets.models import Wallet as WalletModel
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import field
from graphql_schema.pagination import row_id
from graphql_schema.permissions import CanRead, CanReadCustomer, require_visible
from graphql_schema.scalars import Credits
from graphql_schema.wallets.types import Bundle, Entitlement, SignupBonus, Wallet

EntitlementResult: TypeAlias = Annotated[
    Entitlement | Failure, strawberry.union("EntitlementResult")
]


@strawberry.type
class WalletQueries:
    @field(
        permission_classes=[CanReadCustomer],
        graphql_type=Wallet | None,
        description="One wallet by id (a customer token: only its own customer's).",
    )
    async def wallet(self, info: Info, id: strawberry.ID) -> WalletModel | None:
        wallet_id = row_id(id)
        if wallet_id is None:
            return None
        found = await info.context.run(lambda s: s.get(WalletModel, wallet_id))
        if found is None:
            return None
        require_visible(info, found.customer_id, f"wallet {wallet_id}")
        return found

    @field(
        permission_classes=[CanReadCustomer],
        graphql_type=list[Bundle],
        description="The credit packs on sale (customer tokens see them too, to buy one).",
    )
    async def bundles(self, info: Info, active_only: bool = True) -> list[BundleModel]:
        return await info.context.run(lambda s: repository.bundles(s, active_only=active_only))

    @field(permission_classes=[CanRead], graphql_type=SignupBonus)
    async def signup_bonus(self, info: Info) -> SignupBonusModel:
        bonus = await info.context.run(repository.signup_bonus)
        return bonus or SignupBonusModel(credits=Decimal(0), expires_in_days=None)

    @field(
        permission_classes=[CanRead],
        description="May this customer use `credits` more, or `units` more of the metric "
        "`metricCode` (priced by the live subscription's plan, in the plan's currency)? "
        "One indexed read.",
    )
    async def entitlement(
        self,
        info: Info,
        customer_external_id: str,
        currency: str | None = None,
        credits: Credits = Decimal(0),
        metric_code: str | None = None,
        units: Decimal | None = None,
    ) -> EntitlementResult:
        now = info.context.now

        async def work(session: AsyncSession) -> Entitlement:
            if metric_code is not None or units is not None:
                catalog = info.context.runtime.catalog
                return Entitlement.of(
                    await plans.for_metric_query(
                        session, catalog, customer_external_id, metric_code, units, credits, now
                    )
                )
            cost = money.credits(credits, "credits", allow_zero=True)
            customer = await customers.get_by_external_id(session, customer_external_id)
            code = money.normalize_currency(currency or customer.currency)
            assert customer.id is not None
            wallet = await repository.for_customer(session, customer.id, code)
            if wallet is None or wallet.id is None:
                raise NotFound("currency", f"{customer_external_id} has no {code} wallet")
            due = (await balances.due(session, [wallet.id], now)).get(wallet.id, Decimal(0))
            return Entitlement.of(service.entitlement(wallet, cost, balance=wallet.balance - due))

        return await attempt(info, work)
