"""Top-ups on one wallet at the same time: each its own purchase, charged once, none failing.
(They deadlocked before the top-up locked the wallet ahead of inserting rows that refer to
it: 18 of 20 ended in "Unexpected error.".)"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import check_wallet
from tests.payments.support import balance, customer_with_method, rows, settle_all, top_up
from workers.system import JobSystem


async def test_twenty_top_ups_at_once_each_buy_once(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    answers = await asyncio.gather(
        *[top_up(gql, wallet_id, f"tab-{n}", credits="500") for n in range(20)]
    )
    assert {a["__typename"] for a in answers} == {"RechargePayload"}, answers
    assert len({a["recharge"]["id"] for a in answers}) == 20
    await settle_all(database_url, jobs, clock)

    payments = await rows(runtime.db, "SELECT invoice_id, status, attempts FROM payments")
    assert len(payments) == 20 and len({p.invoice_id for p in payments}) == 20
    assert {(p.status, p.attempts) for p in payments} == {("succeeded", 1)}
    assert await balance(gql, wallet_id) == Decimal(10000)
    figures = await check_wallet(runtime.db, wallet_id)
    assert figures.ledger_count == 20
