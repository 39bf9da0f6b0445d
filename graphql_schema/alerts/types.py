from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import Parent

from app.alerts.levels import Level as Threshold
from app.alerts.levels import describe
from app.alerts.models import AlertFiring as FiringModel
from app.alerts.models import AlertKind
from app.alerts.service import ThresholdView, WalletAlerts
from app.money import plain_credits as plain
from app.wallets.models import Wallet as WalletModel
from graphql_schema.context import Info
from graphql_schema.fields import Reads
from graphql_schema.scalars import Credits

if TYPE_CHECKING:
    from graphql_schema.wallets.types import Wallet


strawberry.enum(AlertKind, name="AlertThresholdKind", description="What a spend alert watches.")


@strawberry.type(description="One spend alert of a wallet.")
class AlertThreshold:
    kind: AlertKind
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
            kind=threshold.kind,
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


def _value(firing: Parent[FiringModel]) -> Decimal:
    return Decimal(plain(firing.value))


def _label(firing: Parent[FiringModel]) -> str:
    return describe(Threshold(firing.kind, firing.value))


async def _wallet(firing: Parent[FiringModel], info: Info) -> WalletModel:
    found = await info.context.loaders.wallet.load(firing.wallet_id)
    assert found is not None
    return found


@strawberry.type(description="A spend alert that fired: the figures at that moment.")
class AlertFiring:
    is_type_of = Reads(FiringModel)

    id: strawberry.ID
    kind: AlertKind
    value: Decimal = strawberry.field(resolver=_value)
    label: str = strawberry.field(resolver=_label)
    level: Credits
    balance: Credits
    reference_balance: Credits
    fired_at: datetime
    notified_at: datetime | None = strawberry.field(
        description="When the email and webhooks were written (none: not yet)."
    )
    wallet: WalletModel = strawberry.field(
        resolver=_wallet,
        graphql_type=Annotated["Wallet", strawberry.lazy("graphql_schema.wallets.types")],
    )
