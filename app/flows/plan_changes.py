"""Changing a plan: its own rows (``app.plans``), then — when its usage thresholds changed —
billing acts on them at once for every live subscription that follows them (a usage that
already reached a new level is invoiced now, as the next event would have invoiced it;
``app.billing.threshold_changes``). One transaction, in the lock order: the plan, then the
period rows."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.billing import plan_changed
from app.plans import ChargeInput, MoneyChargeInput, Plan, ThresholdInput
from app.plans import update_plan as change_plan


async def update_plan(
    session: AsyncSession,
    code: str,
    now: datetime,
    *,
    name: str | None = None,
    description: str | None = None,
    credit_charges: list[ChargeInput] | None = None,
    money_charges: list[MoneyChargeInput] | None = None,
    base_fee: object | None = None,
    threshold_inputs: list[ThresholdInput] | None = None,
) -> Plan:
    plan = await change_plan(
        session,
        code,
        now,
        name=name,
        description=description,
        credit_charges=credit_charges,
        money_charges=money_charges,
        base_fee=base_fee,
        threshold_inputs=threshold_inputs,
    )
    if threshold_inputs is not None:
        await plan_changed(session, plan, now)
    return plan
