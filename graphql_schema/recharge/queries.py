from __future__ import annotations

import strawberry

from app.recharge import repository
from app.recharge.models import Recharge as RechargeModel
from app.recharge.models import RechargeRule
from app.wallets import repository as wallets
from app.wallets.models import Wallet
from graphql_schema.context import Info
from graphql_schema.fields import field
from graphql_schema.pagination import Connection, Page, paged, row_id
from graphql_schema.permissions import CanReadCustomer, require_visible
from graphql_schema.recharge.access import wallet_id
from graphql_schema.recharge.types import AutoRechargeRule, Recharge, TopUpOptions


async def _visible_wallet(info: Info, value: strawberry.ID) -> Wallet:
    wallet = await info.context.run(lambda s: wallets.get(s, wallet_id(value)))
    require_visible(info, wallet.customer_id, f"wallet {value}")
    return wallet


@strawberry.type
class RechargeQueries:
    @field(
        permission_classes=[CanReadCustomer],
        graphql_type=Connection[Recharge],
        description="A wallet's top-ups and auto-recharges, newest first.",
    )
    async def recharges(
        self, info: Info, wallet_id: strawberry.ID, first: int = 50, after: str | None = None
    ) -> Connection[RechargeModel]:
        async def fetch(page: Page[int]) -> list[RechargeModel]:
            wallet = await _visible_wallet(info, wallet_id)
            assert wallet.id is not None
            found = wallet.id
            return await info.context.run(
                lambda s: repository.page(s, found, before_id=page.after, limit=page.limit)
            )

        return await paged(first, after, fetch)

    @field(permission_classes=[CanReadCustomer], graphql_type=Recharge | None)
    async def recharge(self, info: Info, id: strawberry.ID) -> RechargeModel | None:
        recharge_id = row_id(id)
        if recharge_id is None:
            return None
        found = await info.context.run(lambda s: s.get(RechargeModel, recharge_id))
        if found is None:
            return None
        wallet = await info.context.loaders.wallet.load(found.wallet_id)
        assert wallet is not None
        require_visible(info, wallet.customer_id, f"recharge {id}")
        return found

    @field(permission_classes=[CanReadCustomer], graphql_type=AutoRechargeRule | None)
    async def auto_recharge_rule(self, info: Info, wallet_id: strawberry.ID) -> RechargeRule | None:
        wallet = await _visible_wallet(info, wallet_id)
        assert wallet.id is not None
        found = wallet.id
        info.context.loaders.wallet.prime(found, wallet)  # the rule's amounts are in its currency
        return await info.context.run(lambda s: repository.rule_of(s, found))

    @field(permission_classes=[CanReadCustomer])
    async def top_up_options(self, info: Info, wallet_id: strawberry.ID) -> TopUpOptions:
        wallet = await _visible_wallet(info, wallet_id)
        assert wallet.id is not None
        found = wallet.id
        options = await info.context.run(lambda s: repository.options(s, found))
        return TopUpOptions.of(found, options)
