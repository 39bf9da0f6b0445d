"""Usage thresholds: the money amounts at which a period's usage is invoiced early. Pure.

A threshold set is any number of amounts plus at most one recurring step, in minor units.
Its *levels* are the amounts, then — after the highest amount (or from zero) — every multiple
of the step: "50.00 and 100.00, then every 200.00" gives 50, 100, 300, 500, 700, … The level
a period has reached is the highest level at or below its usage; usage crosses a threshold
when that level rises above the highest one already invoiced in the period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app import money
from app.errors import ValidationFailed


@dataclass(frozen=True)
class Thresholds:
    amounts: tuple[int, ...] = ()  # ascending, distinct, > 0
    recurring: int | None = None  # > 0

    @property
    def empty(self) -> bool:
        return not self.amounts and self.recurring is None

    def level(self, usage_minor: int) -> int:
        """The highest level at or below ``usage_minor`` (0 when none is reached)."""
        reached = max((a for a in self.amounts if a <= usage_minor), default=0)
        base = self.amounts[-1] if self.amounts else 0
        if self.recurring is not None and usage_minor >= base + self.recurring:
            steps = (usage_minor - base) // self.recurring
            reached = base + steps * self.recurring
        return reached

    def next_level(self, usage_minor: int) -> int | None:
        """The lowest level above ``usage_minor`` (None when there is none)."""
        above = [a for a in self.amounts if a > usage_minor]
        if above:
            return above[0]
        if self.recurring is None:
            return None
        base = self.amounts[-1] if self.amounts else 0
        steps = max(0, (usage_minor - base) // self.recurring + 1)
        return base + steps * self.recurring


@dataclass(frozen=True)
class ThresholdInput:
    amount: object  # major units, e.g. "50.00"
    recurring: bool = False


def parse(items: Sequence[ThresholdInput], currency: str, field: str = "thresholds") -> Thresholds:
    """Check a threshold set given in major units; errors name ``thresholds[i].<field>``."""
    amounts: list[int] = []
    recurring: int | None = None
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        minor = money.minor_units(item.amount, currency, f"{where}.amount")
        if minor <= 0:
            raise ValidationFailed(
                f"{where}.amount", "must be greater than zero", code="invalid_amount"
            )
        if item.recurring:
            if recurring is not None:
                raise ValidationFailed(
                    f"{where}.recurring", "there can be at most one recurring threshold"
                )
            recurring = minor
        elif minor in amounts:
            raise ValidationFailed(f"{where}.amount", "is given twice", code="duplicate")
        else:
            amounts.append(minor)
    return Thresholds(tuple(sorted(amounts)), recurring)


def of(amounts: Sequence[int] | None, recurring: int | None) -> Thresholds:
    """From stored columns (amounts may come unsorted from an array)."""
    return Thresholds(tuple(sorted(amounts or ())), recurring)
