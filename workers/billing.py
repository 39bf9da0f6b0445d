"""Progressive billing jobs.

``billing.invoice_threshold`` — a threshold crossing (written by the ingest transaction) becomes
its threshold invoice: made, finalized, announced, collected. Once per crossing.

``billing.invoice_in_advance`` — a batch's pay-in-advance fees (written by the ingest
transaction) become their invoice. Once per batch and subscription period.

``billing.close_periods`` — periodic: queue the period-end invoice of every ended period and
roll subscriptions into their next period.

``billing.invoice_period_end`` — one period's period-end invoice. Once per period.

``billing.switch_plan`` — a downgrade scheduled for a period's end, done once it ended.

``billing.suspend_overdue`` — periodic: suspend the subscriptions of overdue usage invoices.
"""

from __future__ import annotations

from datetime import datetime

from app import billing
from app.runtime import Runtime
from workers.registry import ActorSpec


async def invoice_threshold(runtime: Runtime, crossing_id: int) -> None:
    async with runtime.db.transaction() as session:
        await billing.invoice_threshold(session, crossing_id, runtime.settings, runtime.clock.now())


async def invoice_in_advance(runtime: Runtime, fees_id: int) -> None:
    async with runtime.db.transaction() as session:
        now = runtime.clock.now()
        await billing.invoice_in_advance(session, fees_id, runtime.settings, now)


async def close_periods(runtime: Runtime) -> None:
    async with runtime.db.transaction() as session:
        await billing.close_due_periods(session, runtime.clock.now())


async def invoice_period_end(runtime: Runtime, period_id: int) -> None:
    async with runtime.db.transaction() as session:
        await billing.invoice_period_end(session, period_id, runtime.settings, runtime.clock.now())


async def switch_plan(runtime: Runtime, subscription_id: int, at: str) -> None:
    async with runtime.db.transaction() as session:
        await billing.run_scheduled(
            session,
            subscription_id,
            datetime.fromisoformat(at),
            runtime.settings,
            runtime.clock.now(),
        )


async def suspend_overdue(runtime: Runtime) -> None:
    async with runtime.db.transaction() as session:
        await billing.suspend_overdue(session, runtime.clock.now())


ACTORS = [
    ActorSpec("billing.invoice_threshold", invoice_threshold),
    ActorSpec("billing.invoice_in_advance", invoice_in_advance),
    ActorSpec("billing.close_periods", close_periods),
    ActorSpec("billing.invoice_period_end", invoice_period_end),
    ActorSpec("billing.switch_plan", switch_plan),
    ActorSpec("billing.suspend_overdue", suspend_overdue),
]
