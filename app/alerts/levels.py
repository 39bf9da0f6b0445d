"""Spend-alert levels, pure: the defaults, what a valid level is, and where it stands.

A level is a percentage of the reference balance (the balance right after the latest credit
addition), an absolute number of credits, or "depleted". It is *crossed* while the balance is
below the balance it stands for (depleted: at or below zero). It fires when it becomes crossed
and re-arms when it stops being crossed, so it fires once per crossing. While the reference is
zero a percentage stands for no balance. (The API calls levels "alert thresholds".)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app import money
from app.alerts.models import AlertKind
from app.errors import Conflict, ValidationFailed

DEFAULT_PERCENTS = (Decimal(50), Decimal(25), Decimal(10))
MAX_LEVELS = 20
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Level:
    kind: AlertKind
    value: Decimal

    def balance(self, reference_balance: Decimal) -> Decimal | None:
        """The balance this level stands for (None: a percentage of a zero reference)."""
        if self.kind is AlertKind.PERCENT:
            if reference_balance <= 0:
                return None
            return money.round_credits(reference_balance * self.value / HUNDRED)
        if self.kind is AlertKind.ABSOLUTE:
            return self.value
        return Decimal(0)

    def crossed(self, balance: Decimal, reference_balance: Decimal) -> bool:
        if self.kind is AlertKind.DEPLETED:
            return balance <= 0
        stands_for = self.balance(reference_balance)
        return stands_for is not None and balance < stands_for


DEPLETED = Level(AlertKind.DEPLETED, Decimal(0))
DEFAULTS = tuple(Level(AlertKind.PERCENT, p) for p in DEFAULT_PERCENTS)


def validate(kind: AlertKind, value: object, field: str = "value") -> Level:
    """A level a user may set: a percentage in (0, 100] or a non-negative credit amount."""
    if kind is AlertKind.DEPLETED:
        raise ValidationFailed("kind", "the depleted alert is always on; it cannot be set")
    number = money.parse_decimal(value, field)
    if kind is AlertKind.PERCENT and not 0 < number <= HUNDRED:
        raise ValidationFailed(
            field, "a percentage must be above 0 and at most 100", code="out_of_range"
        )
    if kind is AlertKind.ABSOLUTE and number < 0:
        raise ValidationFailed(field, "must not be negative", code="invalid_amount")
    return Level(kind, money.credits(number, field, allow_zero=True))


def validate_all(items: Sequence[tuple[AlertKind, object]]) -> list[Level]:
    """Validate a whole set; duplicates and oversized sets are refused."""
    if len(items) > MAX_LEVELS:
        raise ValidationFailed("thresholds", f"at most {MAX_LEVELS} thresholds per wallet")
    chosen: list[Level] = []
    for index, (kind, value) in enumerate(items):
        level = validate(kind, value, f"thresholds.{index}.value")
        if level in chosen:
            raise duplicate(level, f"thresholds.{index}.value")
        chosen.append(level)
    return ordered(chosen)


def duplicate(level: Level, field: str = "value") -> Conflict:
    return Conflict(field, f"the wallet already has the {describe(level)} alert", code="duplicate")


def ordered(levels: list[Level]) -> list[Level]:
    """Percentages first (highest first), then absolute levels (highest first)."""
    return sorted(levels, key=lambda t: (t.kind is not AlertKind.PERCENT, -t.value))


def describe(level: Level) -> str:
    """``50 %``, ``500 credits`` or ``depleted``."""
    if level.kind is AlertKind.PERCENT:
        return f"{money.format_credits(level.value)} %"
    if level.kind is AlertKind.ABSOLUTE:
        return f"{money.format_credits(level.value)} credits"
    return "depleted"
