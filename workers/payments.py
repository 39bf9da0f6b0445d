"""Payment jobs: charge a payment, ask the provider again about one still processing, and
sweep up payments nothing has moved for ``TALLY_PAYMENT_STALE_SECONDS`` and no job will.

Both are idempotent: they re-read the payment and do nothing once it is settled; a charge
carries an idempotency key derived from the payment id, so a retry never charges twice.
"""

from __future__ import annotations

from datetime import timedelta

from app import payments
from app.flows import refunds, settlement
from app.runtime import Runtime
from workers.registry import ActorSpec


async def charge(runtime: Runtime, payment_id: int) -> None:
    await settlement.charge(runtime, payment_id)


async def refresh(runtime: Runtime, payment_id: int) -> None:
    await settlement.refresh(runtime, payment_id)


async def refund(runtime: Runtime, refund_id: int) -> None:
    await refunds.send(runtime, refund_id)


async def sweep(runtime: Runtime) -> None:
    """Re-ask about payments left unsettled with no job to move them (periodic)."""
    stale = timedelta(seconds=runtime.settings.payment_stale_seconds)
    async with runtime.db.transaction() as session:
        await payments.sweep(session, runtime.clock.now(), stale)


ACTORS = [
    # Two transactions around the provider's answer: marked done once the actor returns.
    ActorSpec("payments.charge", charge, one_transaction=False),
    ActorSpec("payments.refresh", refresh, one_transaction=False),
    ActorSpec("payments.refund", refund, one_transaction=False),
    ActorSpec("payments.sweep", sweep),
]
