"""Pricing event by event, checked over generated tiers and events: a pay-in-advance charge's
fees add up to its period amount rounded once, whatever the batches; each event pays the
period's amount with it minus without it; a per-transaction percentage is priced the same
however its events are batched, and matches a reference on exact fractions."""

from __future__ import annotations

import itertools
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from app.plans.models import ChargeModel
from app.plans.money_pricing import MoneyPrice, Position, Tier, amount, amount_minor
from app.plans.per_event import price_events
from tests.billing.test_money_pricing import tiers

units = st.lists(st.integers(min_value=0, max_value=300).map(Decimal), min_size=1, max_size=40)
cuts = st.lists(st.integers(min_value=0, max_value=40), max_size=5)


def batches(values: list[Decimal], at: list[int]) -> list[list[tuple[str, Decimal]]]:
    """``values`` cut into consecutive batches at the positions ``at``."""
    events = [(f"t{n}", v) for n, v in enumerate(values)]
    bounds = sorted({0, len(events), *(min(c, len(events)) for c in at)})
    return [events[a:b] for a, b in itertools.pairwise(bounds)]


def run(price: MoneyPrice, parts: list[list[tuple[str, Decimal]]]) -> tuple[Decimal, list[int]]:
    """Price the batches one after the other, as the ingest does under the row lock."""
    position, fees = Position(), []
    for part in parts:
        accrued, found = price_events(price, position, part, "USD")
        fees += [f.amount_minor for f in found]
        added = sum((units for _, units in part), Decimal(0))
        position = Position(position.quantity + added, position.events + len(part), accrued)
    return position.accrued, fees


@given(tiers(), units, cuts, st.sampled_from([ChargeModel.GRADUATED, ChargeModel.PER_UNIT]))
def test_in_advance_fees_add_up_to_the_period_amount(
    found: tuple[Tier, ...], values: list[Decimal], at: list[int], model: ChargeModel
) -> None:
    price = MoneyPrice(
        model, unit_price=Decimal("0.37"), tiers=found, free_units=Decimal(2), pay_in_advance=True
    )
    accrued, fees = run(price, batches(values, at))
    total = sum(values, Decimal(0))
    assert accrued == amount(price, total, len(values))
    assert sum(fees) == amount_minor(price, total, len(values), "USD")


def test_first_two_free_then_two_each() -> None:
    price = MoneyPrice(
        ChargeModel.PER_UNIT, unit_price=Decimal(2), free_units=Decimal(2), pay_in_advance=True
    )
    one = [("a", Decimal(1)), ("b", Decimal(1)), ("c", Decimal(1))]
    assert run(price, [one])[1] == [0, 0, 200]
    assert run(price, [one[:1], one[1:2], one[2:]])[1] == [0, 0, 200]


def reference(price: MoneyPrice, values: list[Decimal]) -> Fraction:
    """The per-transaction rule on fractions, event after event."""
    seen, owed = Fraction(0), Fraction(0)
    free_amount = Fraction(price.free_units)
    for index, value in enumerate(values):
        v = Fraction(value)
        events_left = price.free_events == 0 or index < price.free_events
        within = free_amount == 0 or seen + v <= free_amount
        if (price.free_events or free_amount) and events_left and within:
            seen += v
            continue
        free = min(v, max(free_amount - seen, Fraction(0))) if events_left else Fraction(0)
        share = (v - free) * Fraction(price.percentage) / 100
        if price.min_per_transaction is not None:
            share = max(share, Fraction(price.min_per_transaction))
        if price.max_per_transaction is not None:
            share = min(share, Fraction(price.max_per_transaction))
        owed += share + Fraction(price.fixed_fee)
        seen += v
    return owed


@given(
    units,
    cuts,
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=600).map(Decimal),
    st.booleans(),
)
def test_per_transaction_percentage_does_not_depend_on_batching(
    values: list[Decimal], at: list[int], free_events: int, free_units: Decimal, bounded: bool
) -> None:
    price = MoneyPrice(
        ChargeModel.PERCENTAGE,
        percentage=Decimal("2.5"),
        fixed_fee=Decimal("0.30"),
        free_events=free_events,
        free_units=free_units,
        min_per_transaction=Decimal("0.50") if bounded else None,
        max_per_transaction=Decimal("4") if bounded else None,
    )
    together, _ = run(price, [[(f"t{n}", v) for n, v in enumerate(values)]])
    apart, _ = run(price, batches(values, at))
    assert together == apart
    assert Fraction(together) == reference(price, values)
