"""``alertTriggered``: each spend alert of a wallet the moment it fires.

The firings come from the wallet's live channel (``alert.triggered`` messages written by the
alert evaluator, ``app.alerts.evaluate``, in the transaction that crossed the threshold); the
subscription reads the database only when it starts, to check access. A firing's payload
depends on nobody's identity, so its rendering is shared by the wallet's watchers
(``graphql_schema.live.sharing``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from app.alerts.levels import Level as Threshold
from app.alerts.levels import describe
from app.alerts.models import AlertKind
from app.live.wallets import channel
from graphql_schema.context import Info
from graphql_schema.fields import subscription
from graphql_schema.live.access import visible_wallet
from graphql_schema.live.sharing import shared
from graphql_schema.permissions import CanReadCustomer
from graphql_schema.scalars import Credits

TRIGGERED = "alert.triggered"


@strawberry.type(
    description="A spend alert that just fired: the figures at that moment "
    "(the fields of `AlertFiring` that need no further reading)."
)
class LiveAlertFiring:
    id: strawberry.ID
    wallet_id: strawberry.ID
    kind: AlertKind
    value: Decimal = strawberry.field(
        description="Percent of the reference balance, or credits; 0 for depleted."
    )
    label: str = strawberry.field(description='"50 %", "500 credits" or "depleted".')
    level: Credits = strawberry.field(description="The balance it stood for when it fired.")
    balance: Credits
    reference_balance: Credits = strawberry.field(
        description="Balance right after the latest credit addition: the base of percentages."
    )
    fired_at: datetime

    @classmethod
    def of(cls, alert: dict[str, Any]) -> LiveAlertFiring:
        kind = AlertKind(alert["kind"])
        value = Decimal(alert["threshold"])
        return cls(
            id=strawberry.ID(str(alert["id"])),
            wallet_id=strawberry.ID(str(alert["wallet_id"])),
            kind=kind,
            value=value,
            label=describe(Threshold(kind, value)),
            level=Decimal(alert["level"]),
            balance=Decimal(alert["balance"]),
            reference_balance=Decimal(alert["reference_balance"]),
            fired_at=datetime.fromisoformat(alert["fired_at"]),
        )


def _firing(message: dict[str, Any]) -> LiveAlertFiring:
    return LiveAlertFiring.of(message["alert"])


@strawberry.type
class AlertSubscriptions:
    @subscription(
        permission_classes=[CanReadCustomer],
        description="Every spend alert of the wallet that fires from now on (percentages, "
        "absolute levels, depleted), once per crossing, in the order they fired; several "
        "crossed by one change arrive highest level first. Never coalesced.",
    )
    async def alert_triggered(
        self, info: Info, wallet_id: strawberry.ID
    ) -> AsyncGenerator[LiveAlertFiring, None]:
        wallet = await visible_wallet(info, wallet_id)
        async with info.context.runtime.bus.subscribe(channel(wallet)) as inbox:
            while True:
                message = await inbox.next()
                if message.get("type") == TRIGGERED:  # the channel carries balances too
                    yield shared(message, _firing)  # the same for every watcher
