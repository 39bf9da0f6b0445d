from __future__ import annotations

from typing import Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts import repository, service
from app.alerts.models import AlertFiring as FiringModel
from graphql_schema.alerts.ids import parse_wallet_id, visible_wallet_id
from graphql_schema.alerts.types import AlertFiring, WalletAlertThresholds
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import field
from graphql_schema.pagination import Connection, Page, paged
from graphql_schema.permissions import CanRead, CanReadCustomer

AlertThresholdsResult: TypeAlias = Annotated[
    WalletAlertThresholds | Failure, strawberry.union("AlertThresholdsResult")
]


@strawberry.type
class AlertQueries:
    @field(
        permission_classes=[CanReadCustomer],
        description="A wallet's spend alerts, with their levels and whether each is armed.",
    )
    async def alert_thresholds(self, info: Info, wallet_id: strawberry.ID) -> AlertThresholdsResult:
        async def work(session: AsyncSession) -> WalletAlertThresholds:
            wallet = await visible_wallet_id(info, session, wallet_id)
            found = await service.wallet_alerts(session, wallet)
            return WalletAlertThresholds.of(found)

        return await attempt(info, work)

    @field(
        permission_classes=[CanRead],
        graphql_type=Connection[AlertFiring],
        description="Alerts that fired, newest first.",
    )
    async def alert_firings(
        self,
        info: Info,
        wallet_id: strawberry.ID | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Connection[FiringModel]:
        async def fetch(page: Page[int]) -> list[FiringModel]:
            wallet = parse_wallet_id(wallet_id) if wallet_id is not None else None
            return await info.context.run(
                lambda s: repository.firings_page(
                    s, wallet_id=wallet, before_id=page.after, limit=page.limit
                )
            )

        return await paged(first, after, fetch)
