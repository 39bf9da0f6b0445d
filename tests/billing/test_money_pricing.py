"""The money pricing rules, checked against independent exact arithmetic (fractions) over
generated tiers and quantities: graduated is the sum over its tiers (the first tier's flat fee
due even at zero usage), volume prices every unit
at one tier, package rounds up, totals are never negative, and amounts are exact to the minor
unit of USD (2 places), JPY (0) and KWD (3), rounded half-up once."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from app import money
from app.plans.models import ChargeModel
from app.plans.money_pricing import MoneyPrice, Tier, amount, amount_minor, describe

CURRENCIES = ("USD", "JPY", "KWD")

prices = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False)
fees = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False)
quantities = st.decimals(min_value=0, max_value=10**7, places=6, allow_nan=False)


@st.composite
def tiers(draw: st.DrawFn) -> tuple[Tier, ...]:
    """1 to 6 tiers with strictly rising bounds, the last unbounded."""
    steps = draw(st.lists(st.integers(min_value=1, max_value=5000), min_size=0, max_size=5))
    bounds, total = [], 0
    for step in steps:
        total += step
        bounds.append(Decimal(total))
    uppers: list[Decimal | None] = [*bounds, None]
    return tuple(Tier(up_to, draw(prices), draw(fees)) for up_to in uppers)


def exact(value: Decimal) -> Fraction:
    return Fraction(value)


def half_up(value: Fraction, currency: str) -> int:
    """The reference rounding: half-up to the minor unit, on exact fractions."""
    scaled = value * 10 ** money.exponent(currency)
    return math.floor(scaled + Fraction(1, 2))


def graduated_reference(found: tuple[Tier, ...], quantity: Decimal) -> Fraction:
    total, lower = Fraction(0), Fraction(0)
    for tier in found:
        upper = exact(tier.up_to) if tier.up_to is not None else exact(quantity)
        units = max(Fraction(0), min(exact(quantity), upper) - lower)
        if units > 0 or tier is found[0]:  # the first tier is entered at zero usage
            total += units * exact(tier.unit_price) + exact(tier.flat_fee)
        if tier.up_to is None:
            break
        lower = upper
    return total


@given(tiers(), quantities)
def test_graduated_is_the_sum_over_its_tiers(found: tuple[Tier, ...], quantity: Decimal) -> None:
    price = MoneyPrice(ChargeModel.GRADUATED, tiers=found)
    assert exact(amount(price, quantity)) == graduated_reference(found, quantity)


@given(tiers(), quantities, quantities)
def test_graduated_never_falls_as_usage_grows(
    found: tuple[Tier, ...], first: Decimal, second: Decimal
) -> None:
    price = MoneyPrice(ChargeModel.GRADUATED, tiers=found)
    low, high = sorted((first, second))
    assert amount(price, low) <= amount(price, high)


@given(tiers(), quantities.filter(lambda q: q > 0))
def test_volume_prices_every_unit_at_the_one_tier_holding_the_total(
    found: tuple[Tier, ...], quantity: Decimal
) -> None:
    price = MoneyPrice(ChargeModel.VOLUME, tiers=found)
    holding = [
        tier
        for index, tier in enumerate(found)
        if (tier.up_to is None or quantity <= tier.up_to)
        and (index == 0 or quantity > (found[index - 1].up_to or 0))
    ]
    assert len(holding) == 1
    [tier] = holding
    expected = exact(quantity) * exact(tier.unit_price) + exact(tier.flat_fee)
    assert exact(amount(price, quantity)) == expected


@given(
    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False),
    st.integers(min_value=1, max_value=1000),
    prices,
)
def test_package_rounds_up_to_started_packages(
    quantity: Decimal, size: int, unit_price: Decimal
) -> None:
    price = MoneyPrice(ChargeModel.PACKAGE, unit_price=unit_price, package_size=size)
    started = math.ceil(exact(quantity) / size)
    assert exact(amount(price, quantity)) == started * exact(unit_price)
    if quantity > 0:  # one more unit in a started package costs nothing
        assert amount(price, Decimal(started * size)) == amount(price, quantity)


@given(
    quantities,
    st.integers(min_value=0, max_value=10**5),
    st.decimals(min_value=0, max_value=100, places=4, allow_nan=False),
    fees,
)
def test_percentage_of_the_property_plus_a_fee_per_event(
    quantity: Decimal, events: int, percentage: Decimal, fee: Decimal
) -> None:
    price = MoneyPrice(ChargeModel.PERCENTAGE, percentage=percentage, fixed_fee=fee)
    expected = exact(quantity) * exact(percentage) / 100 + events * exact(fee)
    assert exact(amount(price, quantity, events)) == expected


models = st.sampled_from(list(ChargeModel))


@given(models, tiers(), prices, quantities, st.integers(min_value=0, max_value=10**6))
def test_totals_are_never_negative(
    model: ChargeModel, found: tuple[Tier, ...], unit_price: Decimal, quantity: Decimal, events: int
) -> None:
    price = MoneyPrice(
        model,
        unit_price=unit_price,
        package_size=7,
        tiers=found,
        percentage=Decimal("12.5"),
        fixed_fee=Decimal("0.3"),
    )
    assert amount(price, quantity, events) >= 0
    for currency in CURRENCIES:
        assert amount_minor(price, quantity, events, currency) >= 0
    assert describe(price, quantity, "USD")


@given(models, tiers(), prices, quantities, st.sampled_from(CURRENCIES))
def test_amounts_round_half_up_once_to_the_minor_unit(
    model: ChargeModel,
    found: tuple[Tier, ...],
    unit_price: Decimal,
    quantity: Decimal,
    currency: str,
) -> None:
    price = MoneyPrice(model, unit_price=unit_price, package_size=3, tiers=found)
    minor = amount_minor(price, quantity, 0, currency)
    assert isinstance(minor, int)
    assert minor == half_up(exact(amount(price, quantity)), currency)


def test_minor_units_of_usd_jpy_and_kwd() -> None:
    flat = MoneyPrice(ChargeModel.PER_UNIT, unit_price=Decimal("0.0005"))
    assert amount_minor(flat, Decimal(1000), 0, "USD") == 50  # 0.50
    assert amount_minor(flat, Decimal(1000), 0, "JPY") == 1  # 0.5 yen rounds half-up to 1
    assert amount_minor(flat, Decimal(999), 0, "JPY") == 0  # 0.4995 yen
    assert amount_minor(flat, Decimal(1001), 0, "KWD") == 501  # 0.5005 KWD = 500.5 fils → 501
    graduated = MoneyPrice(
        ChargeModel.GRADUATED,
        tiers=(Tier(Decimal(100), Decimal("0.50")), Tier(None, Decimal("0.40"))),
    )
    assert amount_minor(graduated, Decimal(120), 0, "USD") == 5800
    assert amount_minor(graduated, Decimal(250), 0, "USD") == 11000
    assert amount_minor(graduated, Decimal(750), 0, "USD") == 31000
    assert describe(graduated, Decimal(250), "USD") == "100 × 0.5 + 150 × 0.4"


def test_huge_quantities_stay_exact() -> None:
    price = MoneyPrice(ChargeModel.PER_UNIT, unit_price=Decimal("0.000000000001"))
    quantity = Decimal("123456789012345678.123456")
    assert exact(amount(price, quantity)) == exact(quantity) * Fraction(1, 10**12)
    assert amount_minor(price, quantity, 0, "USD") == 12345679


@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(CURRENCIES),
    st.decimals(min_value=Decimal("0.000001"), max_value=1000, places=6, allow_nan=False),
)
def test_money_converts_to_credits_at_the_wallet_rate(
    minor: int, currency: str, rate: Decimal
) -> None:
    credits = money.credits_for_money(minor, currency, rate)
    exact_credits = Fraction(minor, 10 ** money.exponent(currency)) / exact(rate)
    assert abs(exact(credits) - exact_credits) <= Fraction(1, 2 * 10**6)
    assert credits.as_tuple().exponent >= -6  # type: ignore[operator]
