"""The runway line in the console's wallet view and in the portal: the API's Wallet.runway (the
computation of the runway alert), with the date the credits run out."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from nicegui.testing import User

from app.clock import FrozenClock
from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause, Usage
from app.wallets.models import CauseType
from tests.conftest import START, GraphQLClient
from tests.console.support import make_customer
from tests.console.test_portal import portal_path


async def _burning(runtime: Runtime, clock: FrozenClock) -> None:
    """1,000 credits, 100 a day over the last 7 days (dated back: the operator's session lives
    on the same clock): 300 left, 3 days."""
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    for day in range(7):
        async with runtime.db.transaction() as session:
            await wallets.burn(
                session,
                wallet_id,
                Decimal(100),
                cause=Cause(CauseType.EVENT_BATCH, f"day-{day}"),
                description="usage",
                now=START - timedelta(days=day),
                usage=Usage("api_call", Decimal(100), "API call"),
            )


async def test_the_console_shows_when_the_credits_run_out(
    logged_in: User, runtime: Runtime, clock: FrozenClock
) -> None:
    await _burning(runtime, clock)
    await logged_in.open("/console/customers/acme")
    await logged_in.should_see(
        "At this pace the credits run out in about 3 days, on 18 Jan 2026.", retries=30
    )


async def test_the_portal_shows_when_you_run_out(
    user: User, runtime: Runtime, clock: FrozenClock, gql: GraphQLClient
) -> None:
    await _burning(runtime, clock)
    await user.open(await portal_path(gql, "acme"))
    await user.should_see("At this pace you run out in about 3 days, on 18 Jan 2026.", retries=30)
