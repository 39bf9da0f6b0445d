"""What usage costs in money under a charge. Pure: quantities in, exact amounts out.

A charge bills a period's quantity of its metric (and, for ``percentage``, the number of
events) with one of five models:

* ``per_unit`` (flat): ``quantity × unit_price``;
* ``package``: ``unit_price`` per started package of ``package_size`` units (rounded up);
* ``graduated``: each tier prices the units that fall in it (plus its flat fee once reached),
  the amounts added up — 250 GB at "first 100 at 0.50, above at 0.40" is 50 + 60;
* ``volume``: the one tier that holds the whole quantity prices every unit (plus its flat fee);
* ``percentage``: ``percentage`` % of the quantity (a sum of a property, e.g. an amount paid)
  plus ``fixed_fee`` per event.

Tiers are ordered by ``up_to`` (inclusive; ``None`` = unbounded, always the last). ``amount``
is exact in major units; ``amount_minor`` rounds it once, half-up, to the currency's minor unit
(``money.to_minor_units``): a charge's period amount is one invoice line.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from app import money
from app.plans.models import ChargeModel

ZERO = Decimal(0)


@dataclass(frozen=True)
class Tier:
    up_to: Decimal | None  # inclusive upper bound of the tier; None: no bound (the last)
    unit_price: Decimal
    flat_fee: Decimal = ZERO


@dataclass(frozen=True)
class MoneyPrice:
    model: ChargeModel
    unit_price: Decimal = ZERO  # per unit (per_unit) or per started package (package)
    package_size: int = 1
    tiers: tuple[Tier, ...] = ()
    percentage: Decimal = ZERO  # of the quantity, 0-100
    fixed_fee: Decimal = ZERO  # per event (percentage)


def packages(quantity: Decimal, size: int) -> Decimal:
    """Started packages: 1 to ``size`` units are one package."""
    return (quantity / size).to_integral_value(rounding=ROUND_CEILING)


def graduated_split(tiers: tuple[Tier, ...], quantity: Decimal) -> Iterator[tuple[Tier, Decimal]]:
    """The units of ``quantity`` that fall in each tier it reaches, in tier order."""
    floor = ZERO
    for tier in tiers:
        if quantity <= floor:
            return
        top = quantity if tier.up_to is None else min(quantity, tier.up_to)
        yield tier, top - floor
        if tier.up_to is None:
            return
        floor = tier.up_to


def volume_tier(tiers: tuple[Tier, ...], quantity: Decimal) -> Tier:
    """The tier that holds ``quantity`` (the last one beyond every bound)."""
    for tier in tiers:
        if tier.up_to is None or quantity <= tier.up_to:
            return tier
    return tiers[-1]


def _graduated(tiers: tuple[Tier, ...], quantity: Decimal) -> Decimal:
    return sum(
        (
            units * tier.unit_price + tier.flat_fee
            for tier, units in graduated_split(tiers, quantity)
        ),
        ZERO,
    )


def _volume(tiers: tuple[Tier, ...], quantity: Decimal) -> Decimal:
    tier = volume_tier(tiers, quantity)
    return quantity * tier.unit_price + tier.flat_fee


def amount(price: MoneyPrice, quantity: Decimal, events: int = 0) -> Decimal:
    """The exact amount (major units) of a period's ``quantity`` and ``events``; never < 0."""
    with money.exact():
        if price.model is ChargeModel.PERCENTAGE:
            fees = price.fixed_fee * max(events, 0)
            return max(quantity, ZERO) * price.percentage / money.HUNDRED + fees
        if quantity <= 0:
            return ZERO
        if price.model is ChargeModel.PACKAGE:
            return packages(quantity, price.package_size) * price.unit_price
        if price.model is ChargeModel.GRADUATED:
            return _graduated(price.tiers, quantity)
        if price.model is ChargeModel.VOLUME:
            return _volume(price.tiers, quantity)
        return quantity * price.unit_price


def amount_minor(price: MoneyPrice, quantity: Decimal, events: int, currency: str) -> int:
    """The period amount of one charge in minor units: ``amount`` rounded once, half-up."""
    return money.to_minor_units(amount(price, quantity, events), currency)


def describe(price: MoneyPrice, quantity: Decimal, currency: str) -> str:
    """How the amount came about, for an invoice line: "100 × 0.50 + 150 × 0.40"."""
    plain = money.format_credits
    if price.model is ChargeModel.GRADUATED:
        parts = [
            f"{plain(units)} × {tier.unit_price.normalize():f}"
            + (f" + {tier.flat_fee.normalize():f}" if tier.flat_fee else "")
            for tier, units in graduated_split(price.tiers, quantity)
        ]
        return " + ".join(parts) or "0"
    if price.model is ChargeModel.VOLUME:
        tier = volume_tier(price.tiers, quantity)
        fee = f" + {tier.flat_fee.normalize():f}" if tier.flat_fee else ""
        return f"{plain(quantity)} × {tier.unit_price.normalize():f}{fee} (volume)"
    if price.model is ChargeModel.PACKAGE:
        count = packages(quantity, price.package_size) if quantity > 0 else ZERO
        return f"{plain(count)} × {price.unit_price.normalize():f} per {price.package_size}"
    if price.model is ChargeModel.PERCENTAGE:
        fee = f" + {price.fixed_fee.normalize():f} per event" if price.fixed_fee else ""
        return f"{price.percentage.normalize():f}% of {plain(quantity)} {currency}{fee}"
    return f"{plain(quantity)} × {price.unit_price.normalize():f}"
