"""The ``payments.refund`` job: return a refund's money through the provider, once however
often it runs (``app.recharge.refund_sending``: two transactions around the provider's answer,
with the refund's idempotency key)."""

from __future__ import annotations

from app import payments, recharge
from app.flows.settlement import Resources


async def send(runtime: Resources, refund_id: int) -> None:
    async with runtime.db.transaction() as session:
        sending = await recharge.begin_refund(session, refund_id, runtime.clock.now())
    if sending is None:
        return
    provider = payments.build_provider(sending.provider, runtime.settings)
    if sending.reference is None:
        outcome = await provider.refund(sending.request)
    else:
        outcome = await provider.retrieve_refund(sending.reference)
    async with runtime.db.transaction() as session:
        await recharge.record_refund_outcome(session, refund_id, outcome, runtime.clock.now())
