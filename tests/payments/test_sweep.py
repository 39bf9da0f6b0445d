"""A payment whose jobs gave up (dead after their runs) is swept up: the payment is asked about
again (and charged with its idempotency key) once nothing has moved it for 15 minutes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import text

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import count_rows
from tests.payments.support import balance, customer_with_method, recharge, settle_all, top_up
from workers.scheduler import Periodic, Scheduler
from workers.system import JobSystem


async def test_a_payment_whose_job_is_dead_is_swept_up_after_15_minutes(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    bought = (await top_up(gql, wallet_id, "k", credits="500"))["recharge"]
    async with runtime.db.transaction() as session:  # its job gave up
        await (await session.connection()).execute(
            text("UPDATE outbox SET state = 'dead' WHERE topic = 'payments.charge'")
        )
    scheduler = Scheduler(runtime, [Periodic("payments.sweep", timedelta(minutes=5))])
    await scheduler.tick()
    await settle_all(database_url, jobs, clock)
    assert (await recharge(gql, bought["id"]))["status"] == "PENDING"  # not stale yet

    clock.advance(timedelta(minutes=15))
    await scheduler.tick()
    await settle_all(database_url, jobs, clock)
    assert (await recharge(gql, bought["id"]))["status"] == "SUCCEEDED"
    assert await balance(gql, wallet_id) == Decimal(500)

    clock.advance(timedelta(hours=2))
    await scheduler.tick()  # a settled payment is not swept again
    assert await settle_all(database_url, jobs, clock) == 1  # only the sweep itself ran
    assert await count_rows(runtime.db, "grants") == 1
