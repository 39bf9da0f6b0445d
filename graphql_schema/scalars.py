"""Custom scalars. ``Credits`` is an exact decimal string ("1487.5"), never a float."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, NewType

import strawberry

from app.money import CREDIT_QUANTUM


def _serialize(value: Decimal) -> str:
    canonical = value.quantize(CREDIT_QUANTUM).normalize()
    return f"{canonical:f}"


def _parse(value: object) -> Decimal:
    if isinstance(value, bool):
        raise ValueError("Credits must be a decimal string or a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"'{value}' is not a number of credits") from None
    if not number.is_finite():
        raise ValueError("Credits must be finite")
    return number


if TYPE_CHECKING:  # for the type checker a Credits value is a Decimal
    Credits = Decimal
else:  # for Strawberry, a distinct type mapped to the Credits scalar
    Credits = NewType("Credits", Decimal)

CREDITS_SCALAR = strawberry.scalar(
    name="Credits",
    description='An exact number of credits as a decimal string (up to 6 places), e.g. "1487.5".',
    serialize=_serialize,
    parse_value=_parse,
)
