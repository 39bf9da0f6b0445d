"""What usage costs in money under a charge. Pure: quantities in, exact amounts out.

A charge bills a period's quantity of its metric (and, for ``percentage``, the number of
events) with one of six models:

* ``per_unit`` (flat): ``(quantity − free units) × unit_price``;
* ``package``: ``unit_price`` per started package of ``package_size`` units (rounded up) of the
  quantity above the free units — 0 free units: 1 to 100 units are one package;
* ``graduated``: each tier prices the units that fall in it, plus its flat fee once the tier is
  entered (the first tier is entered at zero usage, so its flat fee is always due) — 250 GB at
  "first 100 at 0.50, above at 0.40" is 50 + 60;
* ``volume``: the one tier the total lands in prices every unit, plus that tier's flat fee only
  (zero usage lands in the first tier);
* ``percentage``: ``percentage`` % of the quantity (a sum of a property, e.g. an amount paid)
  plus ``fixed_fee`` per event; with free units (an amount), free events or per-transaction
  bounds it is priced event by event (``per_event``);
* ``graduated_percentage``: each tier's ``rate`` % of the part of the summed amount in the tier,
  plus its flat fee once entered (as graduated).

Tiers are ordered by ``up_to`` (inclusive; ``None`` = unbounded, always the last). ``amount``
is exact in major units; ``amount_minor`` rounds it once, half-up, to the currency's minor unit
(``money.to_minor_units``): a charge's period amount is one invoice line.

A charge priced **event by event** (``MoneyPrice.per_event``: pay in advance, or percentage
with free units, free events or per-transaction bounds) prices each event at its own position
in the period (``event_amount``): the events before it (their quantity, count and amounts)
decide what it costs, and the period's amount is the exact sum of its events' amounts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from functools import cached_property

from app import money
from app.plans.models import ChargeModel

ZERO = Decimal(0)


@dataclass(frozen=True)
class Tier:
    up_to: Decimal | None  # inclusive upper bound of the tier; None: no bound (the last)
    unit_price: Decimal
    flat_fee: Decimal = ZERO
    rate: Decimal = ZERO  # graduated percentage: % of the amount in the tier


@dataclass(frozen=True)
class MoneyPrice:
    model: ChargeModel
    unit_price: Decimal = ZERO  # per unit (per_unit) or per started package (package)
    package_size: int = 1
    tiers: tuple[Tier, ...] = ()
    percentage: Decimal = ZERO  # of the quantity, 0-100
    fixed_fee: Decimal = ZERO  # per event (percentage)
    free_units: Decimal = ZERO  # per_unit, package: units; percentage: of the summed amount
    free_events: int = 0  # percentage: the period's first events cost nothing
    min_per_transaction: Decimal | None = None  # percentage: bounds of an event's percentage
    max_per_transaction: Decimal | None = None
    pay_in_advance: bool = False  # billed per event as usage arrives

    @cached_property
    def per_event(self) -> bool:
        """Priced event by event (``event_amount``), not from the period's totals."""
        return self.pay_in_advance or self.per_transaction

    @cached_property
    def per_transaction(self) -> bool:
        """A percentage whose events are priced one by one: free units, free events, bounds."""
        return self.model is ChargeModel.PERCENTAGE and (
            self.free_units > 0
            or self.free_events > 0
            or self.min_per_transaction is not None
            or self.max_per_transaction is not None
        )


@dataclass(frozen=True)
class Position:
    """A period's usage before an event: its quantity, its events and what they came to."""

    quantity: Decimal = ZERO
    events: int = 0
    accrued: Decimal = ZERO


def packages(quantity: Decimal, size: int) -> Decimal:
    """Started packages: 1 to ``size`` units are one package."""
    return (quantity / size).to_integral_value(rounding=ROUND_CEILING)


def graduated_split(tiers: tuple[Tier, ...], quantity: Decimal) -> Iterator[tuple[Tier, Decimal]]:
    """The units of ``quantity`` that fall in each tier it enters, in tier order; the first
    tier is entered at zero usage (with 0 units)."""
    floor = ZERO
    for tier in tiers:
        if quantity <= floor and tier is not tiers[0]:
            return
        top = quantity if tier.up_to is None else min(quantity, tier.up_to)
        yield tier, max(top - floor, ZERO)
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
    """Each entered tier's units at its price, plus its flat fee (the first tier always)."""
    total, floor = ZERO, ZERO
    for index, tier in enumerate(tiers):
        if index and quantity <= floor:
            break
        bound = tier.up_to
        top = quantity if bound is None or quantity < bound else bound
        if top > floor:
            total += (top - floor) * tier.unit_price
        total += tier.flat_fee
        if bound is None:
            break
        floor = bound
    return total


def _graduated_percentage(tiers: tuple[Tier, ...], quantity: Decimal) -> Decimal:
    """Each entered tier's share of the amount at its rate, plus its flat fee."""
    total, floor = ZERO, ZERO
    for index, tier in enumerate(tiers):
        if index and quantity <= floor:
            break
        bound = tier.up_to
        top = quantity if bound is None or quantity < bound else bound
        if top > floor:
            total += (top - floor) * tier.rate / money.HUNDRED
        total += tier.flat_fee
        if bound is None:
            break
        floor = bound
    return total


def _volume(tiers: tuple[Tier, ...], quantity: Decimal) -> Decimal:
    tier = volume_tier(tiers, quantity)
    return quantity * tier.unit_price + tier.flat_fee


def amount(price: MoneyPrice, quantity: Decimal, events: int = 0) -> Decimal:
    """The exact amount (major units) of a period's ``quantity`` and ``events``, from the
    totals (a ``per_transaction`` percentage is priced by ``event_amount``); never < 0."""
    with money.exact():
        return exact_amount(price, quantity, events)


def exact_amount(price: MoneyPrice, quantity: Decimal, events: int) -> Decimal:
    """``amount``, for a caller already in ``money.exact()``."""
    if quantity < 0:
        quantity = ZERO
    model = price.model
    if model is ChargeModel.GRADUATED:
        return _graduated(price.tiers, quantity)
    if model is ChargeModel.PERCENTAGE:
        fees = price.fixed_fee * events if events > 0 else ZERO
        return quantity * price.percentage / money.HUNDRED + fees
    if model is ChargeModel.VOLUME:
        return _volume(price.tiers, quantity)
    if model is ChargeModel.GRADUATED_PERCENTAGE:
        return _graduated_percentage(price.tiers, quantity)
    charged = quantity - price.free_units
    if charged <= 0:
        return ZERO
    if model is ChargeModel.PACKAGE:
        return packages(charged, price.package_size) * price.unit_price
    return charged * price.unit_price


def event_amount(price: MoneyPrice, before: Position, units: Decimal) -> Decimal:
    """What one event of ``units`` costs at its position in the period (``before``): for a
    per-transaction percentage its own fee (``transaction_amount``), otherwise the period's
    amount with the event minus the amount without it — the first event of the period pays
    from nothing, so it brings the first tier's flat fee."""
    with money.exact():
        if price.per_transaction:
            return transaction_amount(price, before.quantity, before.events, units)
        after = exact_amount(price, before.quantity + units, before.events + 1)
        if before.events == 0:
            return after
        return after - exact_amount(price, before.quantity, before.events)


def transaction_amount(
    price: MoneyPrice, quantity: Decimal, events: int, units: Decimal
) -> Decimal:
    """A percentage event after ``events`` events summing ``quantity`` (in ``money.exact()``):
    free while the period is within its free events (the first ``free_events``) and its free
    amount (``free_units``: the running total stays within it), whichever ends first; past
    that, ``percentage`` % of the part of its amount above the free amount (nothing of it once
    the free events are used up), bounded by the per-transaction minimum and maximum, plus
    ``fixed_fee``."""
    if units < 0:
        units = ZERO
    free_events, free_units = price.free_events, price.free_units
    events_left = not free_events or events < free_events
    within = not free_units or quantity + units <= free_units
    if events_left and (free_events or free_units) and within:
        return ZERO
    charged = units
    if free_units and events_left and quantity < free_units:
        charged = quantity + units - free_units
    share = charged * price.percentage / money.HUNDRED
    low, high = price.min_per_transaction, price.max_per_transaction
    if low is not None and share < low:
        share = low
    if high is not None and share > high:
        share = high
    return share + price.fixed_fee


def amount_minor(price: MoneyPrice, quantity: Decimal, events: int, currency: str) -> int:
    """The period amount of one charge in minor units: ``amount`` rounded once, half-up."""
    return money.to_minor_units(amount(price, quantity, events), currency)


def bound_minor(price: MoneyPrice, quantity: Decimal, events: int, currency: str) -> int:
    """At least the period's amount, from its totals: the amount itself, or for a
    per-transaction percentage the rate on the whole quantity plus, per event, the fixed fee and
    the per-transaction minimum (an event's share is at most its own rate or the minimum)."""
    if not price.per_transaction:
        return amount_minor(price, quantity, events, currency)
    with money.exact():
        each = price.fixed_fee + (price.min_per_transaction or ZERO)
        top = max(quantity, ZERO) * price.percentage / money.HUNDRED + each * max(events, 0)
    return money.to_minor_units(top, currency)


def period_minor(
    price: MoneyPrice, quantity: Decimal, events: int, accrued: Decimal, currency: str
) -> int:
    """A charge's period amount in minor units: a ``per_event`` charge's is the exact sum of
    its events' amounts (``accrued``), rounded once; others are priced from the totals."""
    if price.per_event:
        return money.to_minor_units(accrued, currency)
    return amount_minor(price, quantity, events, currency)


def describe(price: MoneyPrice, quantity: Decimal, currency: str) -> str:
    """How the amount came about, for an invoice line: "100 × 0.50 + 150 × 0.40"."""
    plain = money.format_credits
    if price.model in (ChargeModel.GRADUATED, ChargeModel.GRADUATED_PERCENTAGE):
        rated = price.model is ChargeModel.GRADUATED_PERCENTAGE
        parts = [
            (
                f"{tier.rate.normalize():f}% of {plain(units)}"
                if rated
                else f"{plain(units)} × {tier.unit_price.normalize():f}"
            )
            + (f" + {tier.flat_fee.normalize():f}" if tier.flat_fee else "")
            for tier, units in graduated_split(price.tiers, quantity)
        ]
        return " + ".join(parts) or "0"
    if price.model is ChargeModel.VOLUME:
        tier = volume_tier(price.tiers, quantity)
        fee = f" + {tier.flat_fee.normalize():f}" if tier.flat_fee else ""
        return f"{plain(quantity)} × {tier.unit_price.normalize():f}{fee} (volume)"
    free = f" ({plain(price.free_units)} free)" if price.free_units else ""
    if price.model is ChargeModel.PACKAGE:
        charged = quantity - price.free_units
        count = packages(charged, price.package_size) if charged > 0 else ZERO
        each = f"{price.unit_price.normalize():f} per {price.package_size}"
        return f"{plain(count)} × {each}{free}"
    if price.model is ChargeModel.PERCENTAGE:
        fee = f" + {price.fixed_fee.normalize():f} per event" if price.fixed_fee else ""
        rules = " (per transaction)" if price.per_transaction else ""
        return f"{price.percentage.normalize():f}% of {plain(quantity)} {currency}{fee}{rules}"
    charged = max(quantity - price.free_units, ZERO)
    return f"{plain(charged)} × {price.unit_price.normalize():f}{free}"
