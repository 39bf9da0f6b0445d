"""The pure rules: billing periods, credit pricing, aggregation and event checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from app.errors import ValidationFailed
from app.metering.aggregation import Fold, measure
from app.metering.models import Aggregation
from app.metering.validation import REST_FIELDS, Window, parse
from app.plans.models import BillingInterval, ChargeModel, ChargePricing
from app.plans.periods import billing_period, period_containing, shift
from app.plans.pricing import Price, credits_for, increment


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_monthly_periods_clamp_to_short_months() -> None:
    anchor = at(2026, 1, 31, 9)
    assert shift(anchor, 1) == at(2026, 2, 28, 9)
    assert shift(anchor, 3) == at(2026, 4, 30, 9)
    period = period_containing(anchor, BillingInterval.MONTHLY, at(2026, 3, 1))
    assert (period.start, period.end) == (at(2026, 2, 28, 9), at(2026, 3, 31, 9))
    before = period_containing(anchor, BillingInterval.MONTHLY, at(2025, 12, 31, 9))
    assert (before.start, before.end) == (at(2025, 12, 31, 9), anchor)


def test_yearly_periods_and_boundaries() -> None:
    anchor = at(2024, 2, 29)
    period = period_containing(anchor, BillingInterval.YEARLY, at(2025, 2, 28))
    assert (period.start, period.end) == (at(2025, 2, 28), at(2026, 2, 28))
    assert period_containing(anchor, BillingInterval.YEARLY, at(2025, 2, 27, 23)).start == anchor
    assert at(2026, 2, 28) not in period


def test_the_first_billing_period_starts_with_the_subscription() -> None:
    anchor, started = at(2026, 9, 1), at(2026, 8, 10, 9, 30)
    monthly = BillingInterval.MONTHLY
    first = billing_period(anchor, started, monthly, at(2026, 8, 20))
    assert (first.start, first.end) == (started, anchor)
    assert billing_period(anchor, started, monthly, at(2026, 8, 1)) == first  # before the start
    second = billing_period(anchor, started, monthly, anchor)
    assert (second.start, second.end) == (anchor, at(2026, 10, 1))
    whole = billing_period(started, started, monthly, at(2026, 8, 20))  # anniversary
    assert (whole.start, whole.end) == (started, at(2026, 9, 10, 9, 30))


def test_credit_pricing_rounds_half_up_and_telescopes() -> None:
    per_unit = Price(ChargePricing.CREDITS, ChargeModel.PER_UNIT, Decimal("0.0000005"))
    assert credits_for(per_unit, Decimal(1)) == Decimal("0.000001")  # half-up
    steps = [Decimal(0), Decimal(1), Decimal(2), Decimal(5)]
    total = sum(increment(per_unit, a, b) for a, b in pairwise(steps))
    assert total == credits_for(per_unit, Decimal(5)) == Decimal("0.000003")
    package = Price(ChargePricing.CREDITS, ChargeModel.PACKAGE, Decimal(7), 10)
    assert [credits_for(package, Decimal(n)) for n in (0, 1, 10, 11)] == [0, 7, 7, 14]
    assert increment(package, Decimal(11), Decimal(20)) == 0


def test_measure_reads_numbers_exactly_and_names_the_property() -> None:
    assert measure(Aggregation.SUM, "gb", {"gb": 0.1}, "properties") == Decimal("0.1")
    assert measure(Aggregation.SUM, "gb", {"gb": "2.50"}, "properties") == Decimal("2.50")
    assert measure(Aggregation.UNIQUE_COUNT, "u", {"u": 7}, "properties") == "7"
    assert measure(Aggregation.COUNT, None, {}, "properties") is None
    for bad in (True, None, [1], {"x": 1}, "NaN", "1e999999"):
        with pytest.raises(ValidationFailed) as raised:
            measure(Aggregation.MAX, "gb", {"gb": bad}, "properties")
        assert raised.value.field == "properties.gb"


def test_fold_latest_keeps_the_newest_and_the_peak() -> None:
    fold = Fold(Aggregation.LATEST)
    fold.add(Decimal(9), at(2026, 1, 1, 10))
    fold.add(Decimal(4), at(2026, 1, 1, 12))
    fold.add(Decimal(6), at(2026, 1, 1, 11))
    assert (fold.amount(), fold.peak, fold.latest_at) == (Decimal(4), 9, at(2026, 1, 1, 12))


def test_parse_accepts_unix_seconds_and_defaults_now() -> None:
    now = at(2026, 1, 15, 12)
    window = Window.around(now, 7, 300)
    base = {"transaction_id": "t", "customer_external_id": "c", "metric_code": "m"}
    assert parse(0, base, REST_FIELDS, window).timestamp == now
    moment = now - timedelta(hours=1)
    stamped = parse(0, {**base, "timestamp": moment.timestamp()}, REST_FIELDS, window)
    assert stamped.timestamp == moment
    with pytest.raises(ValidationFailed) as raised:
        parse(0, {**base, "transaction_id": 5}, REST_FIELDS, window)
    assert raised.value.field == "transaction_id"
