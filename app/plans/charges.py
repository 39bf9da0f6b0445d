"""A plan's charges from its input: credit charges (``charges[i]``) and money charges
(``moneyCharges[i]``), at most one charge per metric, checked before anything is written.
Credit charges are per_unit or package, with optional free units (``freeUnits``, ≥ 0).

``replace`` swaps the kinds given (``None`` keeps that kind's charges as they are); tiers go
with their charge (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from app import metering, money
from app.errors import ValidationFailed
from app.metering import BillableMetric
from app.plans import money_charges, repository
from app.plans.models import Charge, ChargeModel, ChargePricing
from app.plans.money_charges import Checked, MoneyChargeInput

MAX_PACKAGE = money_charges.MAX_PACKAGE


@dataclass(frozen=True)
class ChargeInput:
    metric_code: str
    credit_price: object
    model: ChargeModel = ChargeModel.PER_UNIT
    package_size: int = 1
    free_units: object | None = None  # the period's first units cost no credits


def _credit(item: ChargeInput, metric_id: int, where: str, now: datetime) -> Checked:
    if item.model not in (ChargeModel.PER_UNIT, ChargeModel.PACKAGE):
        raise ValidationFailed(f"{where}.model", "credit charges are per_unit or package")
    if item.model is ChargeModel.PER_UNIT and item.package_size != 1:
        raise ValidationFailed(f"{where}.packageSize", "only applies to package pricing")
    if not 1 <= item.package_size <= MAX_PACKAGE:
        raise ValidationFailed(f"{where}.packageSize", f"must be between 1 and {MAX_PACKAGE}")
    price = money.credits(item.credit_price, f"{where}.creditPrice", allow_zero=True)
    free = money_charges.free_units(item.free_units or 0, f"{where}.freeUnits")
    charge = Charge(
        plan_id=0,
        metric_id=metric_id,
        pricing=ChargePricing.CREDITS,
        model=item.model,
        credit_price=price,
        package_size=item.package_size,
        free_units=free,
        created_at=now,
    )
    return Checked(charge, [])


class _Metrics:
    """The metrics the input names, and which are charged already."""

    def __init__(self, found: Sequence[BillableMetric], taken: set[int]) -> None:
        self.by_code = {m.code: m for m in found}
        self.taken = set(taken)

    def claim(self, code: str, where: str) -> BillableMetric:
        metric = self.by_code.get(code)
        if metric is None:
            raise ValidationFailed(
                f"{where}.metricCode", f"no metric with code '{code}'", code="not_found"
            )
        assert metric.id is not None
        if metric.id in self.taken:
            raise ValidationFailed(f"{where}.metricCode", "is charged twice in this plan")
        self.taken.add(metric.id)
        return metric


async def check(
    session: AsyncSession,
    credit: Sequence[ChargeInput],
    money_inputs: Sequence[MoneyChargeInput],
    now: datetime,
    taken: set[int] | None = None,
) -> list[Checked]:
    """Every charge checked (``taken``: metric ids charged by the charges that stay)."""
    codes = [c.metric_code for c in credit] + [c.metric_code for c in money_inputs]
    known = _Metrics(await metering.metrics_by_codes(session, codes), taken or set())
    checked = []
    for index, item in enumerate(credit):
        where = f"charges[{index}]"
        metric = known.claim(item.metric_code, where)
        assert metric.id is not None
        checked.append(_credit(item, metric.id, where, now))
    for index, entry in enumerate(money_inputs):
        where = f"moneyCharges[{index}]"
        checked.append(
            money_charges.check(entry, known.claim(entry.metric_code, where), where, now)
        )
    return checked


async def add(session: AsyncSession, plan_id: int, checked: Sequence[Checked]) -> None:
    """Write checked charges (and their tiers) for the plan."""
    for item in checked:
        item.charge.plan_id = plan_id
    session.add_all([item.charge for item in checked])
    await session.flush()
    for item in checked:
        for tier in item.tiers:
            assert item.charge.id is not None
            tier.charge_id = item.charge.id
        session.add_all(item.tiers)
    await session.flush()


async def replace(
    session: AsyncSession,
    plan_id: int,
    credit: Sequence[ChargeInput] | None,
    money_inputs: Sequence[MoneyChargeInput] | None,
    now: datetime,
) -> None:
    """Replace the plan's credit charges, money charges, or both (``None``: keep them)."""
    if credit is None and money_inputs is None:
        return
    replaced = set()
    if credit is not None:
        replaced.add(ChargePricing.CREDITS)
    if money_inputs is not None:
        replaced.add(ChargePricing.MONEY)
    existing = await repository.charges_of_plans(session, [plan_id])
    kept = {c.metric_id for c in existing if c.pricing not in replaced}
    checked = await check(session, credit or [], money_inputs or [], now, kept)
    await (await session.connection()).execute(
        delete(Charge).where(
            col(Charge.plan_id) == plan_id,
            col(Charge.pricing).in_([p.value for p in replaced]),
        )
    )
    await add(session, plan_id, checked)
