"""The lines of usage invoices. Pure.

A threshold invoice lists the period's money usage so far, charge by charge (each amount
priced and rounded once by ``money_pricing``), then deducts what earlier threshold invoices of
the period billed, so tiers never restart mid-period:

    GB processed · 250 GB · 100 × 0.5 + 150 × 0.4          110.00
    Billed by earlier threshold invoices this period        −58.00
                                                     total   52.00

A period-end invoice adds the plan's base fee and deducts every threshold invoice of the
period (never below a zero total).

The base fee is billed in arrears for the days the subscription ran in the period
(``proration``): whole for a whole period; a first period that started mid-period, or one cut
short by termination, bills its share and says so — "7 Dec – 12 Dec 2026 · 5 of 30 days".
Terminated 10 days into a 31-day period, a 20.00 fee bills 20.00 × 10 / 31 = 6.4516… → 6.45.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app import money, plans
from app.billing import proration
from app.invoices import LineInput
from app.plans import MoneyPrice, Period

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
        words += f" · {plans.describe_money_price(item.price, item.quantity, currency)}"
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


def base_fee(
    plan_name: str,
    fee_minor: int,
    full: Period,
    billed: Period,
    currency: str,
    *,
    terminated: bool = False,
) -> LineInput | None:
    """The base fee line for ``billed``, the part of the whole period ``full`` the subscription
    ran (its start or its termination may cut it): quantity the share of days, unit price the
    whole fee. None without a fee."""
    if fee_minor <= 0:
        return None
    part = proration.share(full.start, full.end, billed.start, billed.end)
    words = f"{plan_name} · base fee · {period_words(billed.start, billed.end)}"
    if billed != full:
        words += f" · {part.days} of {part.of} days"
    if terminated:
        words += " (terminated)"
    return LineInput(
        words[:DESCRIPTION_MAX],
        Decimal(1) if part.whole else part.fraction,
        money.major_units(fee_minor, currency),
        amount_minor=proration.fee_minor(fee_minor, part, currency),
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
    """``1 Jan – 1 Feb 2026`` (the end is exclusive: the next period starts then);
    ``12 Dec 2026 – 12 Jan 2027`` across years; ``7 Dec 2026`` within a day."""
    if start.date() == end.date():
        return f"{end.day} {end:%b %Y}"
    since = f"{start.day} {start:%b}" if start.year == end.year else f"{start.day} {start:%b %Y}"
    return f"{since} – {end.day} {end:%b %Y}"
