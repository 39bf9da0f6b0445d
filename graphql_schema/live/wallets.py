"""Live updates over graphql-transport-ws. Authenticate in ``connection_init`` with
``{"Authorization": "Bearer <API key with read scope | customer token>"}``.

A subscription touches the database only when it starts (to check access and read the
current state, each in its own short transaction); updates come from the live bus. Between
them, when credits of the wallet expire (the moments each state lists, ``expiring``), it sends
the balance without them at that moment, on the app's clock (``entry`` null: the expiry's
ledger entry comes with the wallet's next change or the sweep, as an update of its own).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import Clock
from app.live import wallets as wallet_updates
from app.live.hub import Inbox, Message
from app.live.wallets import channel
from app.wallets.models import EntryKind
from graphql_schema.context import Info
from graphql_schema.fields import subscription
from graphql_schema.live.access import visible_wallet
from graphql_schema.live.sharing import shared
from graphql_schema.permissions import CanReadCustomer
from graphql_schema.scalars import Credits


@strawberry.type(description="The ledger entry behind a live update (value translation included).")
class LiveLedgerEntry:
    id: strawberry.ID
    kind: EntryKind
    credits: Credits
    balance_after: Credits
    description: str
    metric_code: str | None
    units: Credits | None
    unit_label: str | None
    created_at: datetime


@strawberry.type(
    description="A wallet's new state and the ledger entry that changed it (null when the "
    "change is credits expiring: the balance without them, at that moment)."
)
class WalletUpdate:
    wallet_id: strawberry.ID
    currency: str
    balance: Credits
    debt: Credits
    reference_balance: Credits
    entry: LiveLedgerEntry | None
    committed_at: datetime = strawberry.field(
        description="When the change committed (for the first state: when it was read)."
    )


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _entry(data: dict[str, Any] | None) -> LiveLedgerEntry | None:
    if data is None:
        return None
    return LiveLedgerEntry(
        id=strawberry.ID(str(data["id"])),
        kind=EntryKind(data["kind"]),
        credits=Decimal(data["credits"]),
        balance_after=Decimal(data["balance_after"]),
        description=data["description"],
        metric_code=data["metric_code"],
        units=_decimal(data["units"]),
        unit_label=data["unit_label"],
        created_at=datetime.fromisoformat(data["created_at"]),
    )


def _update(message: dict[str, Any]) -> WalletUpdate:
    return WalletUpdate(
        wallet_id=strawberry.ID(str(message["wallet_id"])),
        currency=message["currency"],
        balance=Decimal(message["balance"]),
        debt=Decimal(message["debt"]),
        reference_balance=Decimal(message["reference_balance"]),
        entry=_entry(message["entry"]),
        committed_at=datetime.fromisoformat(message["committed_at"]),
    )


def _expired(message: dict[str, Any], moment: datetime) -> WalletUpdate:
    """The state after credits expired at ``moment`` (``message``: the latest state)."""
    return WalletUpdate(
        wallet_id=strawberry.ID(str(message["wallet_id"])),
        currency=message["currency"],
        balance=wallet_updates.balance_at(message, moment),
        debt=Decimal(message["debt"]),
        reference_balance=Decimal(message["reference_balance"]),
        entry=None,
        committed_at=moment,
    )


class _Next:
    """The next message of an inbox, or None when the clock reaches a moment first; a message
    that arrives meanwhile waits for the next call (none is lost)."""

    def __init__(self, inbox: Inbox, clock: Clock) -> None:
        self.inbox, self.clock = inbox, clock
        self.pending: asyncio.Future[Message] | None = None

    async def __call__(self, until: datetime | None) -> Message | None:
        if until is None and self.pending is None:
            return await self.inbox.next()  # the common case: no expiry ahead, no task
        if self.pending is None:
            self.pending = asyncio.ensure_future(self.inbox.next())
        timer = None if until is None else asyncio.ensure_future(self.clock.sleep_until(until))
        try:
            await asyncio.wait(
                [w for w in (self.pending, timer) if w is not None],
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            if timer is not None:
                timer.cancel()
        if not self.pending.done():
            return None
        message, self.pending = self.pending.result(), None
        return message

    def close(self) -> None:
        if self.pending is not None:
            self.pending.cancel()


def _entry_id(message: dict[str, Any]) -> int:
    return int((message["entry"] or {}).get("id", 0))


async def _current(session: AsyncSession, wallet_id: int, now: datetime) -> dict[str, Any]:
    message = await wallet_updates.current(session, wallet_id, now)
    assert message is not None, f"wallet {wallet_id} was visible a moment ago"
    return message


@strawberry.type
class WalletSubscriptions:
    @subscription(
        permission_classes=[CanReadCustomer],
        description="The wallet's balance after every change, starting with the current one "
        "(unless `initial` is false). Under load, updates not yet delivered are coalesced: "
        "the latest state wins, and states never go backwards.",
    )
    async def wallet_updated(
        self, info: Info, wallet_id: strawberry.ID, initial: bool = True
    ) -> AsyncGenerator[WalletUpdate, None]:
        wallet = await visible_wallet(info, wallet_id)
        runtime = info.context.runtime
        async with runtime.bus.subscribe(channel(wallet)) as inbox:
            async with runtime.db.transaction() as session:
                latest = await _current(session, wallet, info.context.now)
            shown = info.context.now
            # Without the first state, the client read the wallet itself, maybe before a change
            # the state just read includes: every update since subscribing reaches it. (The
            # state is still read: its expiries are the moments to send a balance at.)
            last_entry = _entry_id(latest) if initial else 0
            if initial:
                yield _update(latest)
            following = _Next(inbox, runtime.clock)
            try:
                while True:
                    expiry = wallet_updates.next_expiry(latest, shown)
                    message = await following(expiry)
                    if message is None:  # credits expired: the balance without them
                        assert expiry is not None
                        shown = expiry
                        yield _expired(latest, expiry)
                        continue
                    if message.get("type") != "wallet.updated" or _entry_id(message) <= last_entry:
                        continue  # another kind of message, or an older state relayed late
                    last_entry = _entry_id(message)
                    if last_entry >= _entry_id(latest):  # the newest state: its expiries
                        latest, shown = message, datetime.fromisoformat(message["committed_at"])
                    yield shared(message, _update)
            finally:
                following.close()
