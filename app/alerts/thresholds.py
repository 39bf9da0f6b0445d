"""Pure rules of spend alerts: the defaults, what a valid threshold is, and where it stands.

A threshold is *crossed* while the balance is below its level (depleted: at or below zero).
It fires when it becomes crossed and re-arms when it stops being crossed, so it fires once per
crossing. A percentage's level is that share of the reference balance (the balance right after
the latest credit addition); while the reference is zero a percentage has no level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from app import money
from app.alerts.models import AlertKind
from app.errors import Conflict, ValidationFailed

DEFAULT_PERCENTS = (Decimal(50), Decimal(25), Decimal(10))
MAX_THRESHOLDS = 20
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Threshold:
    kind: AlertKind
    value: Decimal

    def level(self, reference_balance: Decimal) -> Decimal | None:
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
        level = self.level(reference_balance)
        return level is not None and balance < level


DEPLETED = Threshold(AlertKind.DEPLETED, Decimal(0))
DEFAULTS = tuple(Threshold(AlertKind.PERCENT, p) for p in DEFAULT_PERCENTS)


def validate(kind: AlertKind, value: object, field: str = "value") -> Threshold:
    """A threshold a user may set: a percentage in (0, 100] or a non-negative credit amount."""
    if kind is AlertKind.DEPLETED:
        raise ValidationFailed("kind", "the depleted alert is always on; it cannot be set")
    number = money.parse_decimal(value, field)
    if kind is AlertKind.PERCENT and not 0 < number <= HUNDRED:
        raise ValidationFailed(
            field, "a percentage must be above 0 and at most 100", code="out_of_range"
        )
    if kind is AlertKind.ABSOLUTE and number < 0:
        raise ValidationFailed(field, "must not be negative", code="invalid_amount")
    return Threshold(kind, money.credits(number, field, allow_zero=True))


def validate_all(items: Sequence[tuple[AlertKind, object]]) -> list[Threshold]:
    """Validate a whole set; duplicates and oversized sets are refused."""
    if len(items) > MAX_THRESHOLDS:
        raise ValidationFailed("thresholds", f"at most {MAX_THRESHOLDS} thresholds per wallet")
    chosen: list[Threshold] = []
    for index, (kind, value) in enumerate(items):
        threshold = validate(kind, value, f"thresholds.{index}.value")
        if threshold in chosen:
            raise duplicate(threshold, f"thresholds.{index}.value")
        chosen.append(threshold)
    return ordered(chosen)


def duplicate(threshold: Threshold, field: str = "value") -> Conflict:
    return Conflict(
        field, f"the wallet already has the {describe(threshold)} alert", code="duplicate"
    )


def ordered(thresholds: list[Threshold]) -> list[Threshold]:
    """Percentages first (highest first), then absolute levels (highest first)."""
    return sorted(thresholds, key=lambda t: (t.kind is not AlertKind.PERCENT, -t.value))


def describe(threshold: Threshold) -> str:
    """``50 %``, ``500 credits`` or ``depleted``."""
    if threshold.kind is AlertKind.PERCENT:
        return f"{money.format_credits(threshold.value)} %"
    if threshold.kind is AlertKind.ABSOLUTE:
        return f"{money.format_credits(threshold.value)} credits"
    return "depleted"


def plain(value: Decimal) -> str:
    """``Decimal("1487.500000")`` -> ``"1487.5"``: exact, JSON-ready, no grouping."""
    return f"{value.quantize(money.CREDIT_QUANTUM).normalize():f}"
