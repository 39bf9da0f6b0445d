"""Numbers and dates as an operator reads them: "1,500 credits", "27 Aug 2026"."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal


def number(value: Decimal | int | str) -> str:
    """Thousands separated, no trailing zeros: 1500.500000 → "1,500.5"."""
    amount = Decimal(str(value))
    if amount == amount.to_integral_value():
        return f"{amount.quantize(Decimal(1)):,}"
    return f"{amount.normalize():,f}"


def credits(value: Decimal | int | str) -> str:
    amount = Decimal(str(value))
    unit = "credit" if abs(amount) == 1 else "credits"
    return f"{number(amount)} {unit}"


def day(moment: datetime) -> str:
    return f"{moment.day} {moment:%b %Y}"


def moment(value: datetime) -> str:
    return f"{value.day} {value:%b %Y, %H:%M} UTC"
