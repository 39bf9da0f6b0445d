"""A wallet's runway as the API shows it (``app.alerts.runway``: one computation for the API,
the console, the portal and the runway alert)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, TypeAlias

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry import Parent

from app.alerts import notice_settings
from app.alerts.runway import describe
from app.alerts.runway_alerts import WalletRunway, wallet_runway
from app.errors import NotFound
from app.wallets import Wallet as WalletModel
from graphql_schema.context import Info
from graphql_schema.errors import Failure, attempt
from graphql_schema.fields import mutation
from graphql_schema.pagination import row_id
from graphql_schema.permissions import IsAdmin
from graphql_schema.scalars import Credits

if TYPE_CHECKING:
    from graphql_schema.wallets.types import Wallet


@strawberry.type(description="How long the credits last at the recent burn rate.")
class Runway:
    daily_burn: Credits = strawberry.field(
        description="Credits consumed per day, averaged over the window."
    )
    window_days: int
    days: Credits | None = strawberry.field(
        description="Days until the balance reaches zero at that rate; null: no usage or no"
        " credits."
    )
    runs_out_at: datetime | None
    threshold_days: int = strawberry.field(
        description="The runway alert fires when the runway falls below this many days."
    )
    low: bool = strawberry.field(description="The runway alert has fired and not re-armed.")
    description: str = strawberry.field(description='"about 3 days at the current pace".')

    @classmethod
    def of(cls, value: WalletRunway) -> Runway:
        runway = value.runway
        return cls(
            daily_burn=runway.daily_burn,
            window_days=runway.window_days,
            days=runway.days,
            runs_out_at=runway.runs_out_at,
            threshold_days=value.threshold_days,
            low=value.low,
            description=describe(runway),
        )


async def resolve_runway(wallet: Parent[WalletModel], info: Info) -> Runway:
    assert wallet.id is not None
    context, wallet_id = info.context, wallet.id
    value = await context.run(
        lambda session: wallet_runway(session, context.runtime.settings, wallet_id, context.now)
    )
    return Runway.of(value)


@strawberry.input
class SetCreditNoticesInput:
    wallet_id: strawberry.ID
    expiry_lead_days: list[int] | None = strawberry.field(
        default=None,
        description="Days before credits expire to send a notice (null: the global setting,"
        " 30, 7 and 1 by default; [] turns them off).",
    )
    runway_threshold_days: int | None = strawberry.field(
        default=None, description="Runway alert below this many days (null: global, 7)."
    )
    runway_window_days: int | None = strawberry.field(
        default=None, description="Burn rate over this many days (null: global, 7)."
    )


@strawberry.type
class CreditNoticesPayload:
    wallet: WalletModel = strawberry.field(
        graphql_type=Annotated["Wallet", strawberry.lazy("graphql_schema.wallets.types")]
    )
    expiry_lead_days: list[int]


CreditNoticesResult: TypeAlias = Annotated[
    CreditNoticesPayload | Failure, strawberry.union("CreditNoticesResult")
]


@strawberry.type
class CreditNoticeMutations:
    @mutation(
        permission_classes=[IsAdmin],
        description="A wallet's expiry-notice lead times and runway alert terms.",
    )
    async def set_credit_notices(
        self, info: Info, input: SetCreditNoticesInput
    ) -> CreditNoticesResult:
        now, settings = info.context.now, info.context.runtime.settings

        async def work(session: AsyncSession) -> CreditNoticesPayload:
            wallet_id = row_id(input.wallet_id)
            if wallet_id is None:
                raise NotFound("walletId", f"no wallet with id {input.wallet_id}")
            row = await notice_settings.set_notices(
                session,
                wallet_id,
                expiry_lead_days=input.expiry_lead_days,
                runway_threshold_days=input.runway_threshold_days,
                runway_window_days=input.runway_window_days,
                now=now,
            )
            wallet = await session.get(WalletModel, wallet_id)
            assert wallet is not None
            leads = row.expiry_lead_days
            return CreditNoticesPayload(
                wallet=wallet,
                expiry_lead_days=list(settings.expiry_notice_days if leads is None else leads),
            )

        return await attempt(info, work)
