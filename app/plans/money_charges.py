"""Checking a money charge as a plan gives it: each error names the field in the API's spelling
(``moneyCharges[0].tiers[1].upTo``), and nothing is written when one fails.

* ``per_unit`` and ``package`` need ``unitPrice`` (``package`` also ``packageSize``);
* ``graduated`` and ``volume`` need tiers whose ``upTo`` rise strictly, every tier bounded but
  the last (which has no ``upTo``): tiers that overlap or come out of order are refused;
* ``percentage`` needs ``percentage`` (0-100) and a metric that sums a property; ``fixedFee``
  is charged per event.

Prices are money in major units of the plan's currency, never negative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from app import money
from app.errors import ValidationFailed
from app.metering import Aggregation, BillableMetric
from app.plans.models import TIERED_MODELS, Charge, ChargeModel, ChargePricing, ChargeTier

MAX_PACKAGE = 10**12
MAX_TIERS = 50


@dataclass(frozen=True)
class TierInput:
    unit_price: object
    up_to: object | None = None  # None: the last, unbounded tier
    flat_fee: object = 0


@dataclass(frozen=True)
class MoneyChargeInput:
    metric_code: str
    model: ChargeModel = ChargeModel.PER_UNIT
    unit_price: object | None = None
    package_size: int = 1
    tiers: Sequence[TierInput] = field(default_factory=tuple)
    percentage: object | None = None
    fixed_fee: object | None = None


@dataclass(frozen=True)
class Checked:
    charge: Charge
    tiers: list[ChargeTier]


def _tiers(items: Sequence[TierInput], where: str) -> list[ChargeTier]:
    if not items:
        raise ValidationFailed(f"{where}.tiers", "needs at least one tier", code="required")
    if len(items) > MAX_TIERS:
        raise ValidationFailed(f"{where}.tiers", f"at most {MAX_TIERS} tiers", code="too_many")
    tiers: list[ChargeTier] = []
    floor = Decimal(0)
    for index, item in enumerate(items):
        at = f"{where}.tiers[{index}]"
        last = index == len(items) - 1
        up_to = _bound(item.up_to, last, floor, f"{at}.upTo")
        tiers.append(
            ChargeTier(
                charge_id=0,
                position=index,
                up_to=up_to,
                unit_price=money.unit_price(item.unit_price, f"{at}.unitPrice"),
                flat_fee=money.unit_price(item.flat_fee, f"{at}.flatFee"),
            )
        )
        floor = up_to if up_to is not None else floor
    return tiers


def _bound(value: object | None, last: bool, floor: Decimal, field: str) -> Decimal | None:
    if value is None:
        if not last:
            raise ValidationFailed(field, "only the last tier may be unbounded", code="required")
        return None
    bound = money.parse_decimal(value, field)
    if bound <= floor:
        raise ValidationFailed(
            field,
            f"must be above the previous tier's upTo ({money.format_credits(floor)}): "
            "tiers may not overlap or come out of order",
            code="unordered_tiers",
        )
    if last:
        raise ValidationFailed(field, "the last tier must be unbounded: leave upTo out")
    if bound > money.QUANTITY_LIMIT:
        raise ValidationFailed(field, f"must be at most {money.QUANTITY_LIMIT:,}", code="too_large")
    return bound


def _unused(item: MoneyChargeInput, where: str) -> None:
    """Fields the model does not read are refused rather than silently ignored."""
    tiered = item.model in TIERED_MODELS
    priced_per_unit = not tiered and item.model is not ChargeModel.PERCENTAGE
    given = {
        "unitPrice": item.unit_price is not None and not priced_per_unit,
        "tiers": bool(item.tiers) and not tiered,
        "percentage": item.percentage is not None and item.model is not ChargeModel.PERCENTAGE,
        "fixedFee": item.fixed_fee is not None and item.model is not ChargeModel.PERCENTAGE,
        "packageSize": item.package_size != 1 and item.model is not ChargeModel.PACKAGE,
    }
    for name, wrong in given.items():
        if wrong:
            raise ValidationFailed(
                f"{where}.{name}", f"does not apply to {item.model.value} pricing"
            )


def check(item: MoneyChargeInput, metric: BillableMetric, where: str, now: datetime) -> Checked:
    """One money charge (``where`` is its place in the input, e.g. ``moneyCharges[0]``)."""
    assert metric.id is not None
    _unused(item, where)
    charge = Charge(
        plan_id=0,
        metric_id=metric.id,
        pricing=ChargePricing.MONEY,
        model=item.model,
        package_size=item.package_size,
        created_at=now,
    )
    tiers: list[ChargeTier] = []
    if item.model in TIERED_MODELS:
        tiers = _tiers(item.tiers, where)
    elif item.model is ChargeModel.PERCENTAGE:
        if metric.aggregation is not Aggregation.SUM:
            raise ValidationFailed(
                f"{where}.model", "percentage pricing needs a metric that sums a property"
            )
        if item.percentage is None:
            raise ValidationFailed(f"{where}.percentage", "is required", code="required")
        charge.percentage = money.percent(item.percentage, f"{where}.percentage")
        charge.fixed_fee = money.unit_price(item.fixed_fee or 0, f"{where}.fixedFee")
    else:
        if item.unit_price is None:
            raise ValidationFailed(f"{where}.unitPrice", "is required", code="required")
        charge.unit_price = money.unit_price(item.unit_price, f"{where}.unitPrice")
        if not 1 <= item.package_size <= MAX_PACKAGE:
            raise ValidationFailed(f"{where}.packageSize", f"must be between 1 and {MAX_PACKAGE}")
    return Checked(charge, tiers)
