"""The lines of usage invoices. Pure.

A threshold invoice lists the period's money usage so far, charge by charge (each amount
priced and rounded once by ``money_pricing``), then deducts what earlier threshold invoices of
the period billed, so tiers never restart mid-period:

    GB processed · 250 GB · 100 × 0.5 + 150 × 0.4          110.00
    Billed by earlier threshold invoices this period        −58.00
                                                     total   52.00

A period-end invoice adds the plan's base fee and deducts every threshold invoice of the
period (never below a zero total).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app import money
from app.invoicing.service import LineInput
from app.plans import money_pricing
from app.plans.money_pricing import MoneyPrice

PRICE_QUANTUM = Decimal(1).scaleb(-money.PRICE_PLACES)
DESCRIPTION_MAX = 500


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


def period_end(
    usage: Sequence[ChargeUsage],
    base: tuple[str, int] | None,
    billed_minor: int,
    currency: str,
) -> list[LineInput]:
    """Lines of a period-end invoice: the base fee (description, amount), the period's usage,
    less what the period's threshold invoices billed (at most what is billed here)."""
    lines = []
    if base is not None and base[1] > 0:
        lines.append(
            LineInput(
                base[0], Decimal(1), money.major_units(base[1], currency), amount_minor=base[1]
            )
        )
    lines += [usage_line(item, currency) for item in usage if item.amount_minor]
    billed = min(billed_minor, sum(line.amount_minor or 0 for line in lines))
    if billed > 0:
        lines.append(deduction(billed, currency, "Billed by threshold invoices this period"))
    return lines


def period_words(start: datetime, end: datetime) -> str:
    """``1 Jan – 1 Feb 2026`` (the end is exclusive: the next period starts then)."""
    return f"{start.day} {start:%b} – {end.day} {end:%b %Y}"
