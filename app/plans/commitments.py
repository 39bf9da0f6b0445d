"""A plan's commitments: the least a billing period bills — the plan's minimum commitment
(base fee and every usage charge together) and a money charge's spending minimum (that charge
alone). Billing adds a true-up line for what a period fell short of them (``app.billing.lines``).

Each amount is given with its currency, which must be the plan's: a commitment never converts.
Setting commitments replaces the plan's (an empty list of minimums drops them; a commitment of
0 drops it). A spending minimum names a money charge of the plan; credit charges are debited as
they happen and have none.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app import catalog_version, metering, money
from app.plans import repository
from app.plans.errors import ValidationFailed
from app.plans.models import ChargePricing, Plan, SpendingMinimum


@dataclass(frozen=True)
class Amount:
    amount: object  # major units, e.g. "200.00"
    currency: str


@dataclass(frozen=True)
class MinimumInput:
    metric_code: str
    minimum: Amount


def _minor(given: Amount, plan: Plan, field: str) -> int:
    currency = money.normalize_currency(given.currency, f"{field}.currency")
    if currency != plan.currency:
        raise ValidationFailed(
            f"{field}.currency",
            f"a commitment is in the plan's currency ({plan.currency}), not {currency}",
            code="currency_mismatch",
        )
    return money.minor_units(given.amount, currency, f"{field}.amount")


async def _minimums(
    session: AsyncSession, plan: Plan, items: Sequence[MinimumInput]
) -> dict[int, int]:
    assert plan.id is not None
    charged = {
        c.metric_id
        for c in await repository.charges_of_plans(session, [plan.id])
        if c.pricing is ChargePricing.MONEY
    }
    by_code = {
        m.code: m for m in await metering.metrics_by_codes(session, [i.metric_code for i in items])
    }
    found: dict[int, int] = {}
    for index, item in enumerate(items):
        where = f"spendingMinimums[{index}]"
        metric = by_code.get(item.metric_code)
        if metric is None or metric.id not in charged:
            raise ValidationFailed(
                f"{where}.metricCode",
                f"plan '{plan.code}' has no money charge for metric '{item.metric_code}'",
                code="not_charged",
            )
        assert metric.id is not None
        if metric.id in found:
            raise ValidationFailed(f"{where}.metricCode", "is given twice", code="duplicate")
        found[metric.id] = _minor(item.minimum, plan, f"{where}.minimum")
    return found


async def set_commitments(
    session: AsyncSession,
    plan_code: str,
    commitment: Amount | None,
    minimums: Sequence[MinimumInput],
    now: datetime,
) -> Plan:
    """Replace the plan's commitment (None: none) and its spending minimums."""
    plan = await repository.plan_by_code(session, plan_code, "planCode")
    assert plan.id is not None
    commitment_minor = 0 if commitment is None else _minor(commitment, plan, "commitment")
    found = await _minimums(session, plan, minimums)
    await session.exec(delete(SpendingMinimum).where(col(SpendingMinimum.plan_id) == plan.id))
    for metric_id, amount in found.items():
        if amount:
            session.add(SpendingMinimum(plan_id=plan.id, metric_id=metric_id, amount_minor=amount))
    plan.commitment_minor, plan.updated_at = commitment_minor, now
    session.add(plan)
    await session.flush()
    await catalog_version.touch(session)
    return plan


async def spending_minimums(session: AsyncSession, plan_id: int) -> list[SpendingMinimum]:
    statement = (
        select(SpendingMinimum)
        .where(SpendingMinimum.plan_id == plan_id)
        .order_by(col(SpendingMinimum.metric_id))
    )
    return list((await session.exec(statement)).all())
