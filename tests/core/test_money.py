"""Money and credit rules: exact types, bounds, and every rounding rule."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app import money
from app.errors import ValidationFailed


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", "1.000000"), (7, "7.000000"), (Decimal("0.000001"), "0.000001"), (" 2.5 ", "2.5")],
)
def test_credits_accepts_exact_amounts(value: object, expected: str) -> None:
    assert money.credits(value) == Decimal(expected)


@pytest.mark.parametrize("value", [1.5, True, "abc", "NaN", "Infinity", "0", "-1", "1e19"])
def test_credits_rejects_floats_and_out_of_range(value: object) -> None:
    with pytest.raises(ValidationFailed) as raised:
        money.credits(value, "amount")
    assert raised.value.field == "amount"


def test_credit_debits_round_half_up_to_six_places() -> None:
    assert money.round_credits(Decimal("0.0000005")) == Decimal("0.000001")
    assert money.round_credits(Decimal("0.0000004999")) == Decimal("0.000000")
    assert money.round_credits(Decimal("-0.0000005")) == Decimal("-0.000001")


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("0.005", "USD", 1), ("0.0049", "USD", 0), ("12.5", "JPY", 13), ("1.0005", "KWD", 1001)],
)
def test_money_rounds_half_up_to_the_minor_unit(amount: str, currency: str, minor: int) -> None:
    assert money.to_minor_units(Decimal(amount), currency) == minor


def test_minor_units_and_format() -> None:
    assert money.minor_units("50.00", "USD") == 5000
    assert money.minor_units("500", "JPY") == 500
    assert money.format_money(5000, "USD") == "50.00"
    assert money.format_money(1001, "KWD") == "1.001"
    assert money.format_credits(Decimal("1487.500000")) == "1,487.5"
    for bad, currency in (("1.001", "USD"), ("1.5", "JPY"), ("-1", "USD"), ("1e30", "USD")):
        with pytest.raises(ValidationFailed):
            money.minor_units(bad, currency)


@pytest.mark.parametrize(
    ("code", "error"), [("XYZ", "unknown_currency"), ("us", "invalid"), ("U5D", "invalid")]
)
def test_currencies(code: str, error: str) -> None:
    assert money.normalize_currency(" usd ") == "USD"
    with pytest.raises(ValidationFailed) as raised:
        money.normalize_currency(code)
    assert (raised.value.field, raised.value.code) == ("currency", error)
