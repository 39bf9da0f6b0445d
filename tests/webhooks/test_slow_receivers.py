"""Slow webhook receivers cannot starve money jobs: deliveries run on their own queue and
worker pool, so a top-up's payment is charged while every delivery is still being held."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from app import announcements
from app.clock import FrozenClock
from app.db.engine import plain_url
from app.outbox.relay import Relay
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.payments.support import customer_with_method, rows, top_up
from tests.webhooks.support import Receiver, create_endpoint
from workers.system import JobSystem

DELIVERIES = 12


@pytest.fixture
async def relaying(database_url: str, jobs: JobSystem, clock: FrozenClock) -> AsyncIterator[None]:
    relay = Relay(plain_url(database_url), jobs.dispatch, clock, poll_seconds=0.2)
    task = asyncio.create_task(relay.run())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    for _ in range(300):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


async def test_a_top_up_settles_while_every_delivery_is_held_by_a_slow_receiver(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    relaying: None,
) -> None:
    receiver.secret = await create_endpoint(gql, receiver.url, ["invoice.paid"])
    wallet_id = await customer_with_method(gql, "acme")
    receiver.hold()
    try:
        async with runtime.db.transaction() as session:
            for n in range(DELIVERIES):
                await announcements.emit(session, "invoice.paid", {"n": n}, runtime.clock.now())

        async def held() -> bool:
            return receiver.waiting >= 2  # the delivery pool is busy with them

        await _until(held, "deliveries reached the receiver")

        started = await top_up(gql, wallet_id, "buy-1", credits="5000")
        assert started["__typename"] == "RechargePayload", started

        async def paid() -> bool:
            found = await rows(runtime.db, "SELECT status FROM payments")
            return [r[0] for r in found] == ["succeeded"]

        await _until(paid, "the top-up's payment succeeded")
        assert receiver.requests == []  # not one delivery has been answered yet
        assert receiver.waiting >= 2
    finally:
        receiver.release()

    async def delivered() -> bool:
        return len(receiver.verified("invoice.paid")) == DELIVERIES + 1  # + the top-up's

    await _until(delivered, "every delivery was answered")
