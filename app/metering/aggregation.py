"""How each aggregation reads an event and folds a batch of them. Pure.

``measure`` turns an event's properties into what its metric aggregates (nothing for count, an
exact ``Decimal`` for sum / max / latest, a text value for unique_count) or raises an error
naming the property ("properties.gb: must be a number"). ``Fold`` combines the events of one
subscription, metric and period within a batch, before the batch meets the stored totals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from app.errors import ValidationFailed
from app.metering.models import PROPERTY_MAX, Aggregation
from app.money import QUANTITY_LIMIT

MAX_VALUE = QUANTITY_LIMIT
Measure = Decimal | str | None

COUNT, UNIQUE_COUNT = Aggregation.COUNT, Aggregation.UNIQUE_COUNT  # read once per event
NUMERIC = frozenset({Aggregation.SUM, Aggregation.MAX, Aggregation.LATEST})
ADDITIVE = frozenset({Aggregation.COUNT, Aggregation.SUM, Aggregation.UNIQUE_COUNT})


def _number(value: object, field: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValidationFailed(field, "must be a number", code="not_a_number")
    try:
        # A JSON number arrives as float: its shortest repr is the number the client wrote.
        number = Decimal(repr(value) if isinstance(value, float) else value)
    except InvalidOperation:
        raise ValidationFailed(field, "must be a number", code="not_a_number") from None
    if not number.is_finite():
        raise ValidationFailed(field, "must be a finite number", code="not_a_number")
    if number < 0:
        raise ValidationFailed(field, "must not be negative", code="negative")
    if number > MAX_VALUE:
        raise ValidationFailed(field, f"must be at most {MAX_VALUE:,}", code="too_large")
    return number


def _text(value: object, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValidationFailed(field, "must be a string or a number")
    text = value if isinstance(value, str) else repr(value)
    if len(text) > PROPERTY_MAX:
        raise ValidationFailed(field, f"must be at most {PROPERTY_MAX} characters", code="too_long")
    return text


def measure(
    aggregation: Aggregation, prop: str | None, properties: dict[str, Any], prefix: str
) -> Measure:
    """What the metric aggregates from one event's ``properties``."""
    if aggregation is COUNT or prop is None:
        return None
    field = f"{prefix}.{prop}"
    if prop not in properties or properties[prop] is None:
        raise ValidationFailed(
            field, f"is required ({aggregation.value} of {prop})", code="required"
        )
    if aggregation is UNIQUE_COUNT:
        return _text(properties[prop], field)
    return _number(properties[prop], field)


@dataclass
class Fold:
    """The events of one (subscription, metric, period) in a batch."""

    aggregation: Aggregation
    events: int = 0
    total: Decimal = Decimal(0)
    peak: Decimal = Decimal(0)
    latest: Decimal = Decimal(0)
    latest_at: datetime | None = None
    values: set[str] = field(default_factory=set)

    def add(self, value: Measure, at: datetime) -> None:
        self.events += 1
        if isinstance(value, str):
            self.values.add(value)
        elif value is not None:
            self.total += value
            self.peak = max(self.peak, value)
            if self.latest_at is None or at >= self.latest_at:
                self.latest, self.latest_at = value, at

    def amount(self) -> Decimal:
        """The batch's quantity: added (count, sum), compared (max) or replacing (latest).
        unique_count adds the number of values the period had not seen (known after insert)."""
        if self.aggregation is Aggregation.COUNT:
            return Decimal(self.events)
        if self.aggregation is Aggregation.MAX:
            return self.peak
        if self.aggregation is Aggregation.LATEST:
            return self.latest
        return self.total
