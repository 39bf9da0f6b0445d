"""The lines of usage invoices. Pure.

A threshold invoice lists the period's money usage so far, charge by charge (each amount
priced and rounded once by ``money_pricing``), then deducts what earlier threshold invoices of
the period billed, so tiers never restart mid-period:

    GB processed · 250 GB · 100 × 0.5 + 150 × 0.4          110.00
    Billed by earlier threshold invoices this period        −58.00
                                                     total   52.00

A period-end invoice adds the plan's base fee and deducts every threshold invoice of the
period (never below a zero total).

The base fee is billed in arrears, whole, for a period that runs to its end. A period cut short
(the subscription terminated) bills the elapsed share of it: fee × elapsed / length, the times
exact to the microsecond, rounded half-up once to the currency's minor unit (``money``).
Terminated 10 days into a 31-day period, a 20.00 fee bills 20.00 × 10 / 31 = 6.4516… → 6.45.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app import money
from app.invoicing.service import LineInput
from app.plans import money_pricing
from app.plans.money_pricing import MoneyPrice

PRICE_QUANTUM = Decimal(1).scaleb(-money.PRICE_PLACES)
DESCRIPTION_MAX = 500
MICROSECOND = timedelta(microseconds=1)
DAY = timedelta(days=1)
DAY_QUANTUM = Decimal("0.01")


@dataclass(frozen=True)
class ChargeUsage:
    """One money charge's usage in a period."""

    name: str  # the metric's name
    unit_singular: str
    unit_plural: str
    price: MoneyPrice | None  # None when the plan no longer charges the metric
    quantity: Decimal
    events: int
    amount_minor: int


def _average(amount_minor: int, quantity: Decimal, currency: str) -> Decimal:
    """The informative unit price of a line priced as a whole (tiers): amount / quantity."""
    if quantity <= 0:
        return Decimal(0)
    with money.exact():
        return (money.major_units(amount_minor, currency) / quantity).quantize(PRICE_QUANTUM)


def usage_line(item: ChargeUsage, currency: str) -> LineInput:
    quantity = money.round_credits(item.quantity)
    label = item.unit_singular if quantity == 1 else item.unit_plural
    words = f"{item.name} · {money.format_credits(quantity)} {label}"
    if item.price is not None:
        words += f" · {money_pricing.describe(item.price, item.quantity, currency)}"
    return LineInput(
        description=words[:DESCRIPTION_MAX],
        quantity=quantity,
        unit_price=_average(item.amount_minor, item.quantity, currency),
        amount_minor=item.amount_minor,
    )


def deduction(minor: int, currency: str, words: str) -> LineInput:
    """What earlier invoices billed, taken off this one."""
    return LineInput(
        description=words[:DESCRIPTION_MAX],
        quantity=Decimal(1),
        unit_price=-money.major_units(minor, currency),
        amount_minor=-minor,
    )


def threshold(
    usage: Sequence[ChargeUsage], amount_minor: int, currency: str, level_minor: int
) -> list[LineInput]:
    """Lines billing ``amount_minor``: the usage so far minus what was billed before."""
    lines = [usage_line(item, currency) for item in usage if item.amount_minor]
    before = sum(item.amount_minor for item in usage) - amount_minor
    if before:
        level = money.format_money(level_minor, currency)
        words = f"Billed by earlier threshold invoices this period (threshold {level} reached)"
        lines.append(deduction(before, currency, words))
    return lines


def prorated_minor(fee_minor: int, elapsed: timedelta, length: timedelta, currency: str) -> int:
    """``fee_minor`` × elapsed / length, rounded half-up to the minor unit once."""
    with money.exact():
        share = Decimal(elapsed // MICROSECOND) / Decimal(length // MICROSECOND)
        return money.to_minor_units(money.major_units(fee_minor, currency) * share, currency)


def _days(span: timedelta) -> str:
    with money.exact():
        days = (Decimal(span // MICROSECOND) / Decimal(DAY // MICROSECOND)).quantize(
            DAY_QUANTUM, rounding=ROUND_HALF_UP
        )
    return money.format_credits(days)


def base_fee(
    plan_name: str,
    fee_minor: int,
    start: datetime,
    end: datetime,
    currency: str,
    ended_at: datetime | None = None,
) -> LineInput | None:
    """The base fee line of the period [start, end): whole, or — when the period ended early at
    ``ended_at`` — prorated to the elapsed share (quantity: that share, unit price: the whole
    fee). None without a fee."""
    if fee_minor <= 0:
        return None
    whole = money.major_units(fee_minor, currency)
    if ended_at is None or ended_at >= end:
        words = f"{plan_name} · base fee · {period_words(start, end)}"
        return LineInput(words[:DESCRIPTION_MAX], Decimal(1), whole, amount_minor=fee_minor)
    elapsed, length = max(ended_at - start, timedelta(0)), end - start
    with money.exact():
        share = money.round_credits(
            Decimal(elapsed // MICROSECOND) / Decimal(length // MICROSECOND)
        )
    words = (
        f"{plan_name} · base fee · {period_words(start, ended_at)}"
        f" · {_days(elapsed)} of {_days(length)} days (terminated)"
    )
    return LineInput(
        words[:DESCRIPTION_MAX],
        share,
        whole,
        amount_minor=prorated_minor(fee_minor, elapsed, length, currency),
    )


def period_end(
    usage: Sequence[ChargeUsage],
    base: LineInput | None,
    billed_minor: int,
    currency: str,
) -> list[LineInput]:
    """Lines of a period-end invoice: the base fee (``base_fee``), the period's usage, less
    what the period's threshold invoices billed (at most what is billed here)."""
    lines = []
    if base is not None and (base.amount_minor or 0) > 0:
        lines.append(base)
    lines += [usage_line(item, currency) for item in usage if item.amount_minor]
    billed = min(billed_minor, sum(line.amount_minor or 0 for line in lines))
    if billed > 0:
        lines.append(deduction(billed, currency, "Billed by threshold invoices this period"))
    return lines


def period_words(start: datetime, end: datetime) -> str:
    """``1 Jan – 1 Feb 2026`` (the end is exclusive: the next period starts then)."""
    return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
