from __future__ import annotations

from decimal import Decimal

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts import service
from app.alerts.models import AlertKind
from graphql_schema.alerts.ids import visible_wallet_id
from graphql_schema.alerts.queries import AlertThresholdsResult
from graphql_schema.alerts.types import WalletAlertThresholds
from graphql_schema.context import Info
from graphql_schema.errors import attempt
from graphql_schema.fields import mutation
from graphql_schema.permissions import IsAdminOrCustomer


@strawberry.input(description="A percentage (0 < p <= 100) or an absolute credit amount (>= 0).")
class AlertThresholdInput:
    kind: AlertKind
    value: Decimal


@strawberry.input
class SetAlertThresholdsInput:
    wallet_id: strawberry.ID
    thresholds: list[AlertThresholdInput]


@strawberry.input
class AlertThresholdChangeInput:
    wallet_id: strawberry.ID
    kind: AlertKind
    value: Decimal


@strawberry.type
class AlertMutations:
    @mutation(
        permission_classes=[IsAdminOrCustomer],
        description="Replace a wallet's alerts with exactly these (depleted always stays on).",
    )
    async def set_alert_thresholds(
        self, info: Info, input: SetAlertThresholdsInput
    ) -> AlertThresholdsResult:
        now = info.context.now
        items = [(t.kind, t.value) for t in input.thresholds]

        async def work(session: AsyncSession) -> WalletAlertThresholds:
            wallet = await visible_wallet_id(info, session, input.wallet_id)
            return WalletAlertThresholds.of(
                await service.set_thresholds(session, wallet, items, now)
            )

        return await attempt(info, work)

    @mutation(permission_classes=[IsAdminOrCustomer], description="Add one alert to a wallet.")
    async def add_alert_threshold(
        self, info: Info, input: AlertThresholdChangeInput
    ) -> AlertThresholdsResult:
        now = info.context.now

        async def work(session: AsyncSession) -> WalletAlertThresholds:
            wallet = await visible_wallet_id(info, session, input.wallet_id)
            found = await service.add_threshold(session, wallet, input.kind, input.value, now)
            return WalletAlertThresholds.of(found)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdminOrCustomer], description="Remove one of a wallet's alerts."
    )
    async def remove_alert_threshold(
        self, info: Info, input: AlertThresholdChangeInput
    ) -> AlertThresholdsResult:
        now = info.context.now

        async def work(session: AsyncSession) -> WalletAlertThresholds:
            wallet = await visible_wallet_id(info, session, input.wallet_id)
            found = await service.remove_threshold(session, wallet, input.kind, input.value, now)
            return WalletAlertThresholds.of(found)

        return await attempt(info, work)

    @mutation(
        permission_classes=[IsAdminOrCustomer],
        description="Back to the default alerts: 50, 25 and 10 % remaining.",
    )
    async def reset_alert_thresholds(
        self, info: Info, wallet_id: strawberry.ID
    ) -> AlertThresholdsResult:
        now = info.context.now

        async def work(session: AsyncSession) -> WalletAlertThresholds:
            wallet = await visible_wallet_id(info, session, wallet_id)
            found = await service.reset_thresholds(session, wallet, now)
            return WalletAlertThresholds.of(found)

        return await attempt(info, work)
