"""``walletNotices``: expiry notices (``credits.expiring``) and runway alerts
(``wallet.runway_low``) of a wallet the moment the scheduler's sweeps send them, from the
wallet's live channel."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from app.live.wallets import channel
from graphql_schema.context import Info
from graphql_schema.fields import subscription
from graphql_schema.live.access import visible_wallet
from graphql_schema.live.sharing import shared
from graphql_schema.permissions import CanReadCustomer
from graphql_schema.scalars import Credits

TYPES = ("credits.expiring", "wallet.runway_low")


@strawberry.type(description="An expiry notice or a runway alert, as it is sent.")
class WalletNotice:
    type: str = strawberry.field(description='"credits.expiring" or "wallet.runway_low".')
    wallet_id: strawberry.ID
    message: str = strawberry.field(
        description='"500 credits expire in 7 days" or "at this pace you run out in about 3 days".'
    )
    credits: Credits = strawberry.field(
        description="The credits that expire, or the balance (runway)."
    )
    at: datetime = strawberry.field(description="When they expire, or when the wallet runs out.")

    @classmethod
    def of(cls, message: dict[str, Any]) -> WalletNotice:
        notice = message["notice"]
        if message["type"] == "credits.expiring":
            days = int(notice["days"])
            text = (
                f"{Decimal(notice['credits']):,f} credits expire in {days}"
                f" {'day' if days == 1 else 'days'}"
            )
            return cls(
                type=message["type"],
                wallet_id=strawberry.ID(str(notice["wallet_id"])),
                message=text,
                credits=Decimal(notice["credits"]),
                at=datetime.fromisoformat(notice["expires_at"]),
            )
        return cls(
            type=message["type"],
            wallet_id=strawberry.ID(str(notice["wallet_id"])),
            message=notice["message"],
            credits=Decimal(notice["balance"]),
            at=datetime.fromisoformat(notice["runs_out_at"]),
        )


@strawberry.type
class NoticeSubscriptions:
    @subscription(
        permission_classes=[CanReadCustomer],
        description="The wallet's expiry notices and runway alerts from now on, as sent.",
    )
    async def wallet_notices(
        self, info: Info, wallet_id: strawberry.ID
    ) -> AsyncGenerator[WalletNotice, None]:
        wallet = await visible_wallet(info, wallet_id)
        async with info.context.runtime.bus.subscribe(channel(wallet)) as inbox:
            while True:
                message = await inbox.next()
                if message.get("type") in TYPES:
                    yield shared(message, WalletNotice.of)
