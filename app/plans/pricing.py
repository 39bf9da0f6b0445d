"""What usage costs in credits under a charge. Pure; every debit rounds through ``money``.

Credit charges are paid in advance, against the wallet: a period's usage is debited as it
grows. When the billed quantity of a period rises from ``before`` to ``after``, the debit is
``credits_for(after) - credits_for(before)``, so the sum of a period's debits is exactly the
price of its final quantity, whatever the batches were — each event pays for its own position
in the period (under "first 2 units free, then 2 credits", three events cost 0, 0 and 2).
``free_units`` come off the period's quantity first (per_unit and package alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cached_property

from app import money
from app.plans.models import ChargeModel, ChargePricing


@dataclass(frozen=True)
class Price:
    """A charge's credit price: per unit, or per started package of ``package_size`` units."""

    pricing: ChargePricing
    model: ChargeModel
    credit_price: Decimal
    package_size: int = 1
    free_units: Decimal = Decimal(0)  # the period's first units cost nothing

    @cached_property
    def most_units(self) -> Decimal:
        """The most units that cost at most ``money.CREDITS_LIMIT`` (one comparison per event
        on the hot path instead of a product)."""
        if self.credit_price <= 0:
            return money.QUANTITY_LIMIT
        if self.model is ChargeModel.PACKAGE:
            whole = (money.CREDITS_LIMIT / self.credit_price).to_integral_value(ROUND_FLOOR)
            return whole * self.package_size + self.free_units
        with money.exact():
            return money.CREDITS_LIMIT / self.credit_price + self.free_units


def packages(quantity: Decimal, size: int) -> Decimal:
    """Started packages: 1 to ``size`` units are one package."""
    return (quantity / size).to_integral_value(rounding=ROUND_CEILING)


def credits_for(price: Price, quantity: Decimal) -> Decimal:
    """The credits ``quantity`` units cost in one period: the units above the free units."""
    quantity -= price.free_units
    if quantity <= 0:
        return Decimal(0)
    if price.model is ChargeModel.PACKAGE:
        return money.round_credits(price.credit_price * packages(quantity, price.package_size))
    return money.round_credits(price.credit_price * quantity)


def increment(price: Price, before: Decimal, after: Decimal) -> Decimal:
    """The debit when a period's billed quantity rises from ``before`` to ``after``."""
    if after <= before:
        return Decimal(0)
    return credits_for(price, after) - credits_for(price, before)
