"""The revenue report of prepaid credits, per month (UTC) and currency, from the ledger and the
paid grants' cost basis (what was paid for them).

Paid credits, valued at their grant's cost basis pro rata and cumulatively (``money.share``:
the credits gone from a grant are worth ``round_half_up(cost × gone / amount)``, each movement
the difference it makes, so a grant's movements add up to exactly its cost):

    sold        paid grants created in the month (their cost)
    recognized  paid credits consumed (and the part of a purchase that paid earlier debt,
                recognized when granted: the usage it paid for was already delivered)
    breakage    paid credits expired (written, or due and not yet written: reads are exact)
    refunded    paid credits refunded (``refund`` entries, app/recharge/refunds.py)
    voided      paid credits voided otherwise (an operator's void, a failed payment's take-back)
    rolled in / rolled out   value carried between grants by a rollover (zero-sum)
    deferred    what paid credits not yet used are worth: opening + sold + rolled in −
                recognized − breakage − refunded − voided − rolled out = closing (exact), and
                at any moment the sum over paid grants of cost − share(cost, amount − remaining)

Free credits are shown apart, in credits (they carry no money): granted, consumed, expired,
voided (voids, refunds and rollovers out), outstanding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.db import sql
from app.errors import ValidationFailed

REVENUE = text(sql.load("app.wallets", "revenue"))
MAX_MONTHS = 120
PAID_CLASSES = ("sold", "recognized", "breakage", "refunded", "voided", "rolled_in", "rolled_out")


def parse_month(value: str, field_name: str) -> date:
    """``"2026-03"`` -> the month's first day; a typed error naming the field otherwise."""
    parts = value.strip().split("-")
    if len(parts) != 2 or not all(p.isascii() and p.isdigit() for p in parts):
        raise ValidationFailed(field_name, "must be a month like 2026-03", code="invalid_month")
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12:
        raise ValidationFailed(field_name, "month must be 01 to 12", code="invalid_month")
    if not 2000 <= year <= 2999:
        raise ValidationFailed(field_name, "year must be 2000 to 2999", code="invalid_month")
    return date(year, month, 1)


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def months_between(start: date, last: date) -> list[date]:
    months, at = [], start
    while at <= last:
        months.append(at)
        at = next_month(at)
    return months


def check_range(start: date, last: date, *, last_field: str = "to") -> list[date]:
    if last < start:
        raise ValidationFailed(last_field, "ends before the range starts", code="invalid_range")
    months = months_between(start, last)
    if len(months) > MAX_MONTHS:
        raise ValidationFailed(
            last_field, f"the range is longer than {MAX_MONTHS} months", code="too_long"
        )
    return months


@dataclass
class Paid:
    """Paid credits and their money (minor units) for one class of movement."""

    credits: Decimal = Decimal(0)
    minor: int = 0


@dataclass
class RevenueMonth:
    month: date
    currency: str
    opening_deferred: Paid = field(default_factory=Paid)
    closing_deferred: Paid = field(default_factory=Paid)
    paid: dict[str, Paid] = field(default_factory=lambda: {c: Paid() for c in PAID_CLASSES})
    free: dict[str, Decimal] = field(default_factory=dict)
    free_opening: Decimal = Decimal(0)
    free_closing: Decimal = Decimal(0)

    def figure(self, name: str) -> Paid:
        return self.paid[name]

    def free_figure(self, name: str) -> Decimal:
        return self.free.get(name, Decimal(0))


OUT = ("recognized", "breakage", "refunded", "voided", "rolled_out")
FREE_NAMES = {"sold": "granted", "rolled_in": "granted", "recognized": "consumed"}


def _close(row: RevenueMonth) -> None:
    paid = row.paid
    credits = row.opening_deferred.credits + paid["sold"].credits + paid["rolled_in"].credits
    minor = row.opening_deferred.minor + paid["sold"].minor + paid["rolled_in"].minor
    for name in OUT:
        credits -= paid[name].credits
        minor -= paid[name].minor
    row.closing_deferred = Paid(credits, minor)
    free = sum((v for k, v in row.free.items() if k == "granted"), Decimal(0))
    gone = sum((v for k, v in row.free.items() if k != "granted"), Decimal(0))
    row.free_closing = row.free_opening + free - gone


def _free_class(name: str) -> str:
    if name in FREE_NAMES:
        return FREE_NAMES[name]
    return "expired" if name == "breakage" else "voided"


async def report(
    session: AsyncSession, months: list[date], currency: str | None, now: datetime
) -> list[RevenueMonth]:
    """One row per month and currency (currencies with any credits before or in the range)."""
    start = datetime.combine(months[0], datetime.min.time(), UTC)
    end = datetime.combine(next_month(months[-1]), datetime.min.time(), UTC)
    found = await (await session.connection()).execute(
        REVENUE, {"start": start, "end": end, "currency": currency, "now": now}
    )
    rows: dict[tuple[date, str], RevenueMonth] = {}
    openings: dict[str, RevenueMonth] = {}
    for r in found:
        kind, name = r.grant_kind, str(r._mapping["class"])
        if r.month is None:
            first = openings.setdefault(r.currency, RevenueMonth(months[0], r.currency))
            if kind == "paid":
                first.opening_deferred = Paid(Decimal(r.credits), int(r.value))
            else:
                first.free_opening = Decimal(r.credits)
            continue
        key = (r.month.date(), r.currency)
        row = rows.setdefault(key, RevenueMonth(key[0], r.currency))
        if kind == "paid":
            row.paid[name] = Paid(Decimal(r.credits), int(r.value))
        else:
            free = _free_class(name)
            row.free[free] = row.free_figure(free) + Decimal(r.credits)
    return _chain(months, rows, openings)


def _chain(
    months: list[date],
    rows: dict[tuple[date, str], RevenueMonth],
    openings: dict[str, RevenueMonth],
) -> list[RevenueMonth]:
    """Every month of every currency, each opening where the month before closed."""
    currencies = sorted({c for _, c in rows} | set(openings))
    result: list[RevenueMonth] = []
    for currency in currencies:
        previous = openings.get(currency)
        for month in months:
            row = rows.get((month, currency)) or RevenueMonth(month, currency)
            if previous is not None and month == months[0]:
                row.opening_deferred = previous.opening_deferred
                row.free_opening = previous.free_opening
            elif previous is not None:
                row.opening_deferred = previous.closing_deferred
                row.free_opening = previous.free_closing
            _close(row)
            result.append(row)
            previous = row
    return result


CSV_HEADER = (
    "month,currency,opening_deferred,sold,recognized,breakage,refunded,voided,rolled_in,"
    "rolled_out,closing_deferred,sold_credits,recognized_credits,breakage_credits,"
    "refunded_credits,voided_credits,deferred_credits,free_granted,free_consumed,free_expired,"
    "free_voided,free_outstanding"
)


def to_csv(rows: list[RevenueMonth]) -> str:
    """The report as CSV: money in major units, exact; credits without trailing zeros."""
    lines = [CSV_HEADER]
    for row in rows:
        cash = [row.opening_deferred.minor]
        cash += [row.paid[name].minor for name in PAID_CLASSES]
        cash += [row.closing_deferred.minor]
        credits = [row.paid[n].credits for n in ("sold", *OUT[:4])]
        credits += [row.closing_deferred.credits]
        free = [row.free_figure(n) for n in ("granted", "consumed", "expired", "voided")]
        free += [row.free_closing]
        cells = [row.month.strftime("%Y-%m"), row.currency]
        cells += [money.format_money(minor, row.currency) for minor in cash]
        cells += [money.plain_credits(value) for value in credits + free]
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"
