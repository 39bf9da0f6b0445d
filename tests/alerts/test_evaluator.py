"""The evaluator on the hot path: set-based over every wallet a transaction changed, a fixed
number of statements however many wallets, and nothing at all for a change that rolls back."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.alerts.evaluate import evaluate
from app.customers import service as customers
from app.customers.service import CustomerInput
from app.flows.balance_reactions import balance_reactions
from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause
from app.wallets.models import CauseType, DepletionPolicy
from app.wallets.service import GrantRequest
from tests.core.support import count_rows

WALLETS = 200


class Counted:
    """The evaluator, counting the SQL statements it sends."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.statements: list[int] = []
        self._active = False

    def on_execute(self, *args: Any) -> None:
        if self._active:
            self.statements[-1] += 1

    async def __call__(self, session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
        self.statements.append(0)
        self._active = True
        try:
            await evaluate(session, ids, now)
        finally:
            self._active = False


@pytest.fixture
def counted(runtime: Runtime) -> Iterator[Counted]:
    counter = Counted(runtime)
    engine = runtime.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counter.on_execute)
    runtime.db.before_commit["balance_reactions"] = balance_reactions(runtime.clock, [counter])
    yield counter
    event.remove(engine, "before_cursor_execute", counter.on_execute)


async def _wallets(runtime: Runtime, count: int) -> list[int]:
    now, ids = runtime.clock.now(), []
    async with runtime.db.transaction() as session:
        for n in range(count):
            customer = await customers.create(
                session, CustomerInput(f"c{n}", f"C{n}", "USD", f"c{n}@x.test"), now
            )
            wallet = await wallets.create_wallet(
                session,
                customer,
                currency=None,
                rate="0.01",
                policy=DepletionPolicy.ALLOW,
                overdraft_limit=None,
                now=now,
            )
            assert wallet.id is not None
            await wallets.grant_credits(
                session,
                wallet.id,
                GrantRequest(amount="1000"),
                cause=Cause(CauseType.OPERATOR),
                idempotency_key=f"g{n}",
                now=now,
            )
            ids.append(wallet.id)
    return ids


async def _burn_all(runtime: Runtime, amounts: dict[int, str]) -> None:
    async with runtime.db.transaction() as session:
        for wallet_id, credits in sorted(amounts.items()):
            await wallets.burn(
                session,
                wallet_id,
                Decimal(credits),
                description="batch",
                cause=Cause(CauseType.EVENT_BATCH, "b"),
                now=runtime.clock.now(),
            )


async def _notify_jobs(runtime: Runtime) -> list[list[int]]:
    async with runtime.db.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT payload FROM outbox WHERE topic = 'alerts.notify' ORDER BY id")
        )
        return [row[0]["firing_ids"] for row in rows]


async def test_a_batch_over_many_wallets_costs_a_fixed_number_of_statements(
    runtime: Runtime, counted: Counted
) -> None:
    ids = await _wallets(runtime, WALLETS)
    assert counted.statements == [1]  # the grants: nothing crossed, one statement

    # Half the wallets fall below 50 % (1,000 -> 400), the other half do not (-> 900).
    await _burn_all(runtime, {w: "600" if i % 2 == 0 else "100" for i, w in enumerate(ids)})
    assert await count_rows(runtime.db, "alert_firings") == WALLETS // 2
    assert counted.statements[-1] <= 5  # the evaluation, one live row, one job (+ NOTIFYs)
    [firing_ids] = await _notify_jobs(runtime)
    assert len(firing_ids) == WALLETS // 2

    await _burn_all(runtime, dict.fromkeys(ids, "1"))  # nothing new crossed
    assert counted.statements[-1] == 1
    assert await count_rows(runtime.db, "alert_firings") == WALLETS // 2


async def test_a_rolled_back_change_fires_nothing(runtime: Runtime, counted: Counted) -> None:
    [wallet_id] = await _wallets(runtime, 1)
    with pytest.raises(RuntimeError):
        async with runtime.db.transaction() as session:
            await wallets.burn(
                session,
                wallet_id,
                Decimal(900),
                description="use",
                cause=Cause(CauseType.SYSTEM),
                now=runtime.clock.now(),
            )
            raise RuntimeError("abandon")
    assert await count_rows(runtime.db, "alert_firings") == 0
    assert await count_rows(runtime.db, "alert_states") == 0
    assert await _notify_jobs(runtime) == []
