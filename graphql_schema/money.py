"""Amounts as the API shows them: money exact in major units with its currency, and decimals
without trailing zeros."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from app import money


@strawberry.type(description="An exact amount of money in a currency.")
class Money:
    amount: Decimal = strawberry.field(description='Major units, exact ("50.00").')
    currency: str

    @classmethod
    def of(cls, minor: int, currency: str) -> Money:
        return cls(amount=Decimal(money.format_money(minor, currency)), currency=currency)


def plain(value: Decimal) -> Decimal:
    """Without trailing zeros or an exponent: ``Decimal("5000.000000")`` -> ``5000``,
    ``0.500000000000`` -> ``0.5``."""
    return Decimal(f"{value.normalize():f}")
