"""Custom scalars, each read the same way from a variable (``parse_value``) and from a literal in
the query (``parse_literal``).

A value a scalar cannot read becomes ``app.inputs.Invalid`` rather than an exception: the
``EdgeChecks`` extension (``graphql_schema/inputs.py``) finds it among the field's arguments and
answers with a typed error naming the argument — the mutation's ``ValidationError`` — instead of
an error graphql-core would word on its own (or one masked as "Unexpected error.").

* ``Credits``: an exact decimal string ("1487.5"), never a float.
* ``Decimal``: an exact decimal (rates, prices, quantities).
* ``DateTime``: ISO 8601 with a time zone, between the years 1970 and 2999.
* ``JSON``: any JSON value (objects are checked against the JSON limits at the edge).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, NewType

import strawberry
from graphql import (
    BooleanValueNode,
    FloatValueNode,
    IntValueNode,
    StringValueNode,
    ValueNode,
    value_from_ast_untyped,
)
from strawberry.scalars import JSON

from app.inputs import Invalid, printable
from app.money import CREDIT_QUANTUM

NUMBER_TEXT_MAX = 64  # characters of a decimal number
DIGITS_MAX = 40  # adjusted exponent: no number Tally stores is within a factor 10^22 of it
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def _decimal(value: object, kind: str) -> Decimal | Invalid:
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        return Invalid(f"{kind} must be a decimal string or a number")
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if len(text) > NUMBER_TEXT_MAX:
        return Invalid(f"is not a number: more than {NUMBER_TEXT_MAX} characters")
    try:
        if not text.isascii() or "_" in text:  # Decimal() reads "1_000" and other digits
            raise InvalidOperation
        number = Decimal(text)
    except InvalidOperation:
        return Invalid(f"'{printable(text)}' is not a decimal number")
    if not number.is_finite():
        return Invalid("must be a finite number")
    if number and abs(number.adjusted()) > DIGITS_MAX:
        return Invalid("is out of range", code="too_large")
    return number + 0 if number.is_zero() else number  # -0 is 0


def _number_literal(node: ValueNode) -> object:
    if isinstance(node, (StringValueNode, IntValueNode, FloatValueNode)):
        return node.value  # the text as written, never through a float
    return None


def _serialize_credits(value: Decimal) -> str:
    canonical = value.quantize(CREDIT_QUANTUM).normalize()
    return f"{canonical:f}"


def _parse_credits(value: object) -> Decimal | Invalid:
    return _decimal(value, "Credits")


def _literal_credits(node: ValueNode, _variables: Any = None) -> Decimal | Invalid:
    return _decimal(_number_literal(node), "Credits")


def _parse_decimal(value: object) -> Decimal | Invalid:
    return _decimal(value, "Decimal")


def _literal_decimal(node: ValueNode, _variables: Any = None) -> Decimal | Invalid:
    return _decimal(_number_literal(node), "Decimal")


def _parse_datetime(value: object) -> datetime | Invalid:
    if not isinstance(value, str) or len(value) > NUMBER_TEXT_MAX:
        return Invalid("must be an ISO 8601 date and time", code="invalid_timestamp")
    try:
        if not value.isascii() or "\x00" in value:  # fromisoformat reads past a NUL
            raise ValueError
        moment = datetime.fromisoformat(value)
    except ValueError:
        return Invalid(
            f"'{printable(value)}' is not an ISO 8601 date and time", code="invalid_timestamp"
        )
    if moment.tzinfo is None:
        return Invalid(
            "must include a time zone, e.g. 2026-01-15T12:00:00Z", code="invalid_timestamp"
        )
    try:
        inside = EARLIEST <= moment < LATEST
    except OverflowError:
        inside = False
    if not inside:
        return Invalid("must be between the years 1970 and 2999", code="invalid_timestamp")
    return moment


def _literal_datetime(node: ValueNode, _variables: Any = None) -> datetime | Invalid:
    value = node.value if isinstance(node, StringValueNode) else None
    return _parse_datetime(value)


def _parse_json(value: object) -> object:
    return value


def _finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, dict):
        return all(_finite(v) for v in value.values())
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _literal_json(node: ValueNode, variables: Any = None) -> object:
    """A literal as JSON (a float literal like 1e400 would be infinite: refused). The parser
    bounds how deeply a literal nests."""
    if isinstance(node, BooleanValueNode):
        return node.value
    value = value_from_ast_untyped(node, variables)
    return value if _finite(value) else Invalid("must hold finite numbers only")


if TYPE_CHECKING:  # for the type checker a Credits value is a Decimal
    Credits = Decimal
else:  # for Strawberry, a distinct type mapped to the Credits scalar
    Credits = NewType("Credits", Decimal)

CREDITS_SCALAR = strawberry.scalar(
    name="Credits",
    description='An exact number of credits as a decimal string (up to 6 places), e.g. "1487.5".',
    serialize=_serialize_credits,
    parse_value=_parse_credits,
    parse_literal=_literal_credits,
)
DECIMAL_SCALAR = strawberry.scalar(
    name="Decimal",
    description='An exact decimal number as a string, e.g. "0.01".',
    serialize=str,
    parse_value=_parse_decimal,
    parse_literal=_literal_decimal,
)
DATETIME_SCALAR = strawberry.scalar(
    name="DateTime",
    description="ISO 8601 date and time with a time zone, e.g. 2026-01-15T12:00:00Z.",
    serialize=datetime.isoformat,
    parse_value=_parse_datetime,
    parse_literal=_literal_datetime,
)
JSON_SCALAR = strawberry.scalar(
    name="JSON",
    description="A JSON value (objects: at most 16 levels deep and 16,384 characters).",
    specified_by_url="https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf",
    serialize=_parse_json,
    parse_value=_parse_json,
    parse_literal=_literal_json,
)
SCALARS: dict[object, Any] = {
    Credits: CREDITS_SCALAR,
    Decimal: DECIMAL_SCALAR,
    datetime: DATETIME_SCALAR,
    JSON: JSON_SCALAR,
}
