from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from app.alerts.levels import Level as Threshold
from app.alerts.levels import describe
from app.alerts.models import AlertFiring as FiringModel
from app.alerts.service import ThresholdView, WalletAlerts
from app.money import plain_credits as plain
from graphql_schema.context import Info
from graphql_schema.scalars import Credits

if TYPE_CHECKING:
    from graphql_schema.wallets.types import Wallet


@strawberry.enum(description="What a spend alert watches.")
class AlertThresholdKind(Enum):
    PERCENT = "percent"
    ABSOLUTE = "absolute"
    DEPLETED = "depleted"


@strawberry.type(description="One spend alert of a wallet.")
class AlertThreshold:
    kind: AlertThresholdKind
    value: Decimal = strawberry.field(
        description="Percent of the reference balance, or credits; 0 for depleted."
    )
    label: str = strawberry.field(description='"50 %", "500 credits" or "depleted".')
    level: Credits | None = strawberry.field(
        description="The balance it fires below (depleted: at or below); none for a "
        "percentage while the reference balance is zero."
    )
    armed: bool = strawberry.field(
        description="False after it fired, until the balance is above the level again."
    )
    is_default: bool

    @classmethod
    def of(cls, view: ThresholdView) -> AlertThreshold:
        threshold: Threshold = view.threshold
        return cls(
            kind=AlertThresholdKind(threshold.kind.value),
            value=Decimal(plain(threshold.value)),
            label=describe(threshold),
            level=view.level,
            armed=view.armed,
            is_default=view.is_default,
        )


@strawberry.type(description="A wallet's spend alerts.")
class WalletAlertThresholds:
    wallet_id: strawberry.ID
    balance: Credits
    reference_balance: Credits = strawberry.field(
        description="Balance right after the latest credit addition: the base of percentages."
    )
    uses_defaults: bool = strawberry.field(
        description="True until the thresholds are first changed (50, 25 and 10 % remaining)."
    )
    thresholds: list[AlertThreshold]

    @classmethod
    def of(cls, alerts: WalletAlerts) -> WalletAlertThresholds:
        return cls(
            wallet_id=strawberry.ID(str(alerts.wallet.id)),
            balance=alerts.wallet.balance,
            reference_balance=alerts.wallet.reference_balance,
            uses_defaults=alerts.uses_defaults,
            thresholds=[AlertThreshold.of(view) for view in alerts.thresholds],
        )


@strawberry.type(description="A spend alert that fired: the figures at that moment.")
class AlertFiring:
    model: strawberry.Private[FiringModel]

    @strawberry.field
    def id(self) -> strawberry.ID:
        return strawberry.ID(str(self.model.id))

    @strawberry.field
    def kind(self) -> AlertThresholdKind:
        return AlertThresholdKind(self.model.kind.value)

    @strawberry.field
    def value(self) -> Decimal:
        return Decimal(plain(self.model.value))

    @strawberry.field
    def label(self) -> str:
        return describe(Threshold(self.model.kind, self.model.value))

    @strawberry.field
    def level(self) -> Credits:
        return self.model.level

    @strawberry.field
    def balance(self) -> Credits:
        return self.model.balance

    @strawberry.field
    def reference_balance(self) -> Credits:
        return self.model.reference_balance

    @strawberry.field
    def fired_at(self) -> datetime:
        return self.model.fired_at

    @strawberry.field(description="When the email and webhooks were written (none: not yet).")
    def notified_at(self) -> datetime | None:
        return self.model.notified_at

    @strawberry.field
    async def wallet(
        self, info: Info
    ) -> Annotated[Wallet, strawberry.lazy("graphql_schema.wallets.types")]:
        from graphql_schema.wallets.types import Wallet

        found = await info.context.loaders.wallet.load(self.model.wallet_id)
        assert found is not None
        return Wallet(model=found)
