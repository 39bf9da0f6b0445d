"""Threshold levels (S9's "50.00 and 100.00, then every 200.00") and the checks on a threshold
set as a plan or a subscription gives it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.errors import ValidationFailed
from app.plans.thresholds import ThresholdInput, Thresholds, parse

S9 = Thresholds((5000, 10000), 20000)


def test_s9_levels() -> None:
    assert [S9.level(u) for u in (0, 4999, 5000, 5800, 10999, 11000, 29999, 31000, 50000)] == [
        0,
        0,
        5000,
        5000,
        10000,
        10000,
        10000,
        30000,
        50000,
    ]
    assert [S9.next_level(u) for u in (0, 5800, 11000, 31000)] == [5000, 10000, 30000, 50000]


def test_recurring_alone_and_amounts_alone() -> None:
    every = Thresholds((), 20000)
    assert [every.level(u) for u in (19999, 20000, 65000)] == [0, 20000, 60000]
    fixed = Thresholds((50000,), None)
    assert (fixed.level(31000), fixed.level(50000), fixed.level(10**9)) == (0, 50000, 50000)
    assert fixed.next_level(50000) is None
    assert Thresholds().empty and not fixed.empty


amounts = st.lists(st.integers(min_value=1, max_value=10**7), max_size=6, unique=True)
recurring = st.none() | st.integers(min_value=1, max_value=10**6)
usage = st.integers(min_value=0, max_value=10**8)


@given(amounts, recurring, usage, usage)
def test_the_level_is_a_threshold_at_or_below_usage_and_never_falls(
    fixed: list[int], step: int | None, first: int, second: int
) -> None:
    found = Thresholds(tuple(sorted(fixed)), step)
    low, high = sorted((first, second))
    level = found.level(low)
    assert 0 <= level <= low
    assert level <= found.level(high)
    if level:
        base = max(fixed, default=0)
        assert level in fixed or (step is not None and (level - base) % step == 0)
    upcoming = found.next_level(low)
    assert upcoming is None or upcoming > low
    if upcoming is not None:
        assert found.level(upcoming) == upcoming


def test_parse_sorts_and_keeps_one_recurring() -> None:
    items = [
        ThresholdInput("100.00"),
        ThresholdInput("200.00", recurring=True),
        ThresholdInput("50"),
    ]
    assert parse(items, "USD") == S9
    assert parse([ThresholdInput("500")], "JPY") == Thresholds((500,), None)
    assert parse([ThresholdInput("0.005")], "KWD") == Thresholds((5,), None)


@pytest.mark.parametrize(
    ("items", "field", "code"),
    [
        ([ThresholdInput("0")], "thresholds[0].amount", "invalid_amount"),
        ([ThresholdInput("-5")], "thresholds[0].amount", "invalid_amount"),
        ([ThresholdInput("1.001")], "thresholds[0].amount", "invalid_amount"),
        ([ThresholdInput("abc")], "thresholds[0].amount", "invalid"),
        (
            [ThresholdInput("10", recurring=True), ThresholdInput("20", recurring=True)],
            "thresholds[1].recurring",
            "invalid",
        ),
        ([ThresholdInput("10"), ThresholdInput("10.00")], "thresholds[1].amount", "duplicate"),
    ],
)
def test_bad_thresholds_name_the_field(items: list[ThresholdInput], field: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse(items, "USD")
    assert (raised.value.field, raised.value.code) == (field, code)
