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

Commitments (``true_ups``) come after the usage: a money charge's spending minimum and then the
plan's minimum commitment, each prorated by the base fee's share of days, bill what the period
fell short of them — "GB processed · spending minimum 100.00 · true-up", "Scale · minimum
commitment 200.00 · true-up" — compared with what the period billed for that scope (the
charge's amount; the base fee, every charge and the charges' true-ups), threshold invoices
included.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
    ending: str | None = None,
) -> LineInput | None:
    """The base fee line for ``billed``, the part of the whole period ``full`` the subscription
    ran (its start, its termination or a plan switch may cut it): quantity the share of days,
    unit price the whole fee; ``ending`` says why the period ended early. None without a fee."""
    if fee_minor <= 0:
        return None
    part = proration.share(full.start, full.end, billed.start, billed.end)
    words = f"{plan_name} · base fee · {period_words(billed.start, billed.end)}"
    if billed != full:
        words += f" · {part.days} of {part.of} days"
    if ending is not None:
        words += f" ({ending})"
    return LineInput(
        words[:DESCRIPTION_MAX],
        Decimal(1) if part.whole else part.fraction,
        money.major_units(fee_minor, currency),
        amount_minor=proration.fee_minor(fee_minor, part, currency),
    )


@dataclass(frozen=True)
class Commitments:
    """What a period commits to bill, whole-period amounts in minor units: the plan's minimum
    commitment, and spending minimums by charge (metric name → minimum)."""

    plan_name: str
    commitment_minor: int = 0
    minimums: tuple[tuple[str, int], ...] = ()


def _true_up(words: str, owed_minor: int, currency: str) -> LineInput:
    return LineInput(
        description=words[:DESCRIPTION_MAX],
        quantity=Decimal(1),
        unit_price=money.major_units(owed_minor, currency),
        amount_minor=owed_minor,
    )


def true_ups(
    usage: Sequence[ChargeUsage],
    base: LineInput | None,
    terms: Commitments,
    part: proration.Share,
    currency: str,
    advance: Mapping[str, int] | None = None,
) -> list[LineInput]:
    """True-up lines: each spending minimum, then the plan's commitment, prorated by ``part``
    (the base fee's days), less what the period billed for its scope, when positive. ``advance``
    is what pay-in-advance charges billed in the period (by charge name): billed, so counted."""
    billed = {item.name: item.amount_minor for item in usage}
    for name, paid in (advance or {}).items():
        billed[name] = billed.get(name, 0) + paid
    lines = []
    for name, minimum in terms.minimums:
        floor = proration.fee_minor(minimum, part, currency)
        if floor > billed.get(name, 0):
            words = f"{name} · spending minimum {money.format_money(floor, currency)} · true-up"
            lines.append(_true_up(words, floor - billed.get(name, 0), currency))
    floor = proration.fee_minor(terms.commitment_minor, part, currency)
    spent = sum(billed.values()) + sum(line.amount_minor or 0 for line in lines)
    spent += (base.amount_minor or 0) if base is not None else 0
    if floor > spent:
        amount = money.format_money(floor, currency)
        words = f"{terms.plan_name} · minimum commitment {amount} · true-up"
        lines.append(_true_up(words, floor - spent, currency))
    return lines


def period_end(
    usage: Sequence[ChargeUsage],
    base: LineInput | None,
    billed_minor: int,
    currency: str,
    owed: Sequence[LineInput] = (),
) -> list[LineInput]:
    """Lines of a period-end invoice: the base fee (``base_fee``), the period's usage, the
    true-ups ``owed`` (``true_ups``), less what the period's threshold invoices billed (at most
    what is billed here)."""
    lines = []
    if base is not None and (base.amount_minor or 0) > 0:
        lines.append(base)
    lines += [usage_line(item, currency) for item in usage if item.amount_minor]
    lines += owed
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
