"""Checking a money charge as a plan gives it: each error names the field in the API's spelling
(``moneyCharges[0].tiers[1].upTo``), and nothing is written when one fails.

* ``per_unit`` and ``package`` need ``unitPrice`` (``package`` also ``packageSize``);
* ``graduated``, ``volume`` and ``graduated_percentage`` need tiers whose ``upTo`` rise strictly,
  every tier bounded but the last (which has no ``upTo``); a tier's optional ``from`` must be
  where the previous tier ends (0 for the first): tiers that overlap, leave a gap or come out
  of order are refused. Graduated percentage tiers take a ``rate`` (0-100) instead of a
  ``unitPrice``, and a metric that sums a property;
* ``percentage`` needs ``percentage`` (0-100) and a metric that sums a property; ``fixedFee``
  is charged per event, ``freeEvents`` and ``freeUnits`` (an amount) make the period's first
  events free, ``minPerTransaction`` ≤ ``maxPerTransaction`` bound each event's percentage;
* ``freeUnits`` also apply to ``per_unit`` and ``package`` (tiered models have a first tier at
  0 instead);
* ``payInAdvance`` bills each event as it arrives: for a metric that counts events or sums a
  property, and not for ``volume`` (whose amount can fall as usage grows).

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
from app.plans.models import (
    FREE_UNIT_MODELS,
    TIERED_MODELS,
    Charge,
    ChargeModel,
    ChargePricing,
    ChargeTier,
)

MAX_PACKAGE = 10**12
MAX_TIERS = 50


@dataclass(frozen=True)
class TierInput:
    unit_price: object | None
    up_to: object | None = None  # None: the last, unbounded tier
    flat_fee: object = 0
    rate: object | None = None  # graduated percentage
    start: object | None = None  # ``from``: where the tier starts (the previous tier's upTo)


@dataclass(frozen=True)
class MoneyChargeInput:
    metric_code: str
    model: ChargeModel = ChargeModel.PER_UNIT
    unit_price: object | None = None
    package_size: int = 1
    tiers: Sequence[TierInput] = field(default_factory=tuple)
    percentage: object | None = None
    fixed_fee: object | None = None
    free_units: object | None = None
    free_events: int | None = None
    min_per_transaction: object | None = None
    max_per_transaction: object | None = None
    pay_in_advance: bool = False


@dataclass(frozen=True)
class Checked:
    charge: Charge
    tiers: list[ChargeTier]


def _tiers(items: Sequence[TierInput], where: str, rated: bool) -> list[ChargeTier]:
    if not items:
        raise ValidationFailed(f"{where}.tiers", "needs at least one tier", code="required")
    if len(items) > MAX_TIERS:
        raise ValidationFailed(f"{where}.tiers", f"at most {MAX_TIERS} tiers", code="too_many")
    tiers: list[ChargeTier] = []
    floor = Decimal(0)
    for index, item in enumerate(items):
        at = f"{where}.tiers[{index}]"
        last = index == len(items) - 1
        _start(item.start, floor, f"{at}.from")
        up_to = _bound(item.up_to, last, floor, f"{at}.upTo")
        tier = ChargeTier(
            charge_id=0,
            position=index,
            up_to=up_to,
            unit_price=Decimal(0),
            flat_fee=money.unit_price(item.flat_fee, f"{at}.flatFee"),
        )
        _tier_price(tier, item, at, rated)
        tiers.append(tier)
        floor = up_to if up_to is not None else floor
    return tiers


def _tier_price(tier: ChargeTier, item: TierInput, at: str, rated: bool) -> None:
    """A graduated percentage tier's rate, or another tier's unit price."""
    own, other = ("rate", "unitPrice") if rated else ("unitPrice", "rate")
    if (item.unit_price if rated else item.rate) is not None:
        raise ValidationFailed(f"{at}.{other}", f"does not apply here: tiers take a {own}")
    value = item.rate if rated else item.unit_price
    if value is None:
        raise ValidationFailed(f"{at}.{own}", "is required", code="required")
    if rated:
        tier.rate = money.percent(value, f"{at}.rate")
    else:
        tier.unit_price = money.unit_price(value, f"{at}.unitPrice")


def _start(value: object | None, floor: Decimal, field: str) -> None:
    """A tier's ``from``, when given, is where the previous tier ended."""
    if value is None:
        return
    start = money.parse_decimal(value, field)
    if start == floor:
        return
    expected = money.format_credits(floor)
    if start > floor:
        raise ValidationFailed(
            field, f"leaves a gap: the tier must start at {expected}", code="gapped_tiers"
        )
    raise ValidationFailed(
        field,
        f"overlaps the previous tier: the tier must start at {expected}",
        code="overlapping_tiers",
    )


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
    percentage = item.model is ChargeModel.PERCENTAGE
    priced_per_unit = not tiered and not percentage
    given = {
        "unitPrice": item.unit_price is not None and not priced_per_unit,
        "tiers": bool(item.tiers) and not tiered,
        "percentage": item.percentage is not None and item.model is not ChargeModel.PERCENTAGE,
        "fixedFee": item.fixed_fee is not None and item.model is not ChargeModel.PERCENTAGE,
        "packageSize": item.package_size != 1 and item.model is not ChargeModel.PACKAGE,
        "freeUnits": item.free_units is not None and item.model not in FREE_UNIT_MODELS,
        "freeEvents": item.free_events is not None and not percentage,
        "minPerTransaction": item.min_per_transaction is not None and not percentage,
        "maxPerTransaction": item.max_per_transaction is not None and not percentage,
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
    percentages = (ChargeModel.PERCENTAGE, ChargeModel.GRADUATED_PERCENTAGE)
    if item.model in percentages and metric.aggregation is not Aggregation.SUM:
        raise ValidationFailed(
            f"{where}.model", f"{item.model.value} pricing needs a metric that sums a property"
        )
    _in_advance(item, metric, charge, where)
    if item.free_units is not None:
        charge.free_units = free_units(item.free_units, f"{where}.freeUnits")
    if item.model in TIERED_MODELS:
        tiers = _tiers(item.tiers, where, item.model is ChargeModel.GRADUATED_PERCENTAGE)
    elif item.model is ChargeModel.PERCENTAGE:
        if item.percentage is None:
            raise ValidationFailed(f"{where}.percentage", "is required", code="required")
        charge.percentage = money.percent(item.percentage, f"{where}.percentage")
        charge.fixed_fee = money.unit_price(item.fixed_fee or 0, f"{where}.fixedFee")
        _per_transaction(item, charge, where)
    else:
        if item.unit_price is None:
            raise ValidationFailed(f"{where}.unitPrice", "is required", code="required")
        charge.unit_price = money.unit_price(item.unit_price, f"{where}.unitPrice")
        if not 1 <= item.package_size <= MAX_PACKAGE:
            raise ValidationFailed(f"{where}.packageSize", f"must be between 1 and {MAX_PACKAGE}")
    return Checked(charge, tiers)


def free_units(value: object, field: str) -> Decimal:
    """Free units: a quantity, 0 or more."""
    units = money.parse_decimal(value, field)
    if units < 0:
        raise ValidationFailed(field, "must not be negative", code="negative")
    if units > money.QUANTITY_LIMIT:
        raise ValidationFailed(field, f"must be at most {money.QUANTITY_LIMIT:,}", code="too_large")
    return units


def _per_transaction(item: MoneyChargeInput, charge: Charge, where: str) -> None:
    """Free events, and the bounds of each event's percentage amount (minimum ≤ maximum)."""
    if item.free_events is not None:
        if not 0 <= item.free_events <= MAX_PACKAGE:
            raise ValidationFailed(
                f"{where}.freeEvents", f"must be between 0 and {MAX_PACKAGE}", code="negative"
            )
        charge.free_events = item.free_events
    if item.min_per_transaction is not None:
        charge.min_per_transaction = money.unit_price(
            item.min_per_transaction, f"{where}.minPerTransaction"
        )
    if item.max_per_transaction is not None:
        charge.max_per_transaction = money.unit_price(
            item.max_per_transaction, f"{where}.maxPerTransaction"
        )
    low, high = charge.min_per_transaction, charge.max_per_transaction
    if low is not None and high is not None and low > high:
        raise ValidationFailed(
            f"{where}.maxPerTransaction",
            f"must be at least minPerTransaction ({low.normalize():f})",
            code="min_above_max",
        )


def _in_advance(item: MoneyChargeInput, metric: BillableMetric, charge: Charge, where: str) -> None:
    """Pay in advance: events that add to the period (count, sum), never volume."""
    if not item.pay_in_advance:
        return
    if metric.aggregation not in (Aggregation.COUNT, Aggregation.SUM):
        raise ValidationFailed(
            f"{where}.payInAdvance",
            "needs a metric that counts events or sums a property: each event adds to the period",
        )
    if item.model is ChargeModel.VOLUME:
        raise ValidationFailed(
            f"{where}.payInAdvance",
            "volume pricing cannot be billed per event: its amount can fall as usage grows",
        )
    charge.pay_in_advance = True
