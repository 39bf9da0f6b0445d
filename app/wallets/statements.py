"""Wallet statements: for a wallet and a month (UTC) or any range up to ``MAX_DAYS`` days, the
opening balance (after the last movement before the range), every movement grouped by ledger
entry kind — purchases, grants, usage, expiries, rollovers, refunds, voids, adjustments — each
split into paid and free credits and debt, the usage per metric (value translation), and the
closing balance; opening + Σ movements = closing, exactly. The CSV lists every movement.

Money value: credits × the wallet's rate, rounded half-up to the currency's minor unit once
per figure (``money.to_minor_units``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, text
from sqlmodel.ext.asyncio.session import AsyncSession

from app import money
from app.db import sql
from app.errors import NotFound, ValidationFailed
from app.wallets.models import EntryKind, Wallet
from app.wallets.revenue import next_month, parse_month

GROUPS = text(sql.load("app.wallets", "statement_groups"))
LINES = text(sql.load("app.wallets", "statement_lines"))
USAGE = text(sql.load("app.wallets", "statement_usage"))
BALANCE_BEFORE = text(
    "SELECT balance_after FROM ledger_entries WHERE wallet_id = :w AND created_at < :at "
    "ORDER BY created_at DESC, id DESC LIMIT 1"
)
MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime  # exclusive


def period(month: str | None, start: datetime | None, end: datetime | None) -> Period:
    """A month ("2026-03") or a range [start, end); typed errors naming the field."""
    if month is not None:
        if start is not None or end is not None:
            raise ValidationFailed("month", "give a month, or start and end (not both)")
        first = parse_month(month, "month")
        return Period(
            datetime.combine(first, datetime.min.time(), UTC),
            datetime.combine(next_month(first), datetime.min.time(), UTC),
        )
    if start is None or end is None:
        raise ValidationFailed(
            "start" if start is None else "end", "give a month, or both start and end"
        )
    for name, moment in (("start", start), ("end", end)):
        if moment.tzinfo is None:
            raise ValidationFailed(name, "must include a time zone")
    if end <= start:
        raise ValidationFailed("end", "ends before the range starts", code="invalid_range")
    if end - start > timedelta(days=MAX_DAYS):
        raise ValidationFailed("end", f"the range is longer than {MAX_DAYS} days", code="too_long")
    return Period(start, end)


@dataclass(frozen=True)
class Group:
    kind: EntryKind
    entries: int
    credits: Decimal
    paid: Decimal
    free: Decimal
    debt: Decimal  # what debits drew from no grant


@dataclass(frozen=True)
class MetricUsage:
    metric_code: str
    unit_label: str | None
    units: Decimal
    credits: Decimal
    entries: int


@dataclass(frozen=True)
class Statement:
    wallet: Wallet
    period: Period
    opening: Decimal
    closing: Decimal
    groups: list[Group]
    usage: list[MetricUsage]

    def value(self, credits: Decimal) -> int:
        """The money value of ``credits`` at the wallet's rate (minor units, half-up)."""
        with money.exact():
            return money.to_minor_units(credits * self.wallet.rate, self.wallet.currency)


def _groups(rows: Iterable[Row[Any]]) -> list[Group]:
    totals: dict[str, tuple[int, Decimal]] = {}
    parts: dict[tuple[str, str], Decimal] = {}
    for r in rows:
        if r.part == "total":
            totals[r.kind] = (int(r.entries), Decimal(r.credits))
        else:
            parts[(r.kind, r.part)] = parts.get((r.kind, r.part), Decimal(0)) + Decimal(r.credits)
    groups = []
    for kind in sorted(totals):
        entries, credits = totals[kind]
        paid, free = parts.get((kind, "paid"), Decimal(0)), parts.get((kind, "free"), Decimal(0))
        groups.append(Group(EntryKind(kind), entries, credits, paid, free, credits - paid - free))
    return groups


async def _balance_before(session: AsyncSession, wallet_id: int, at: datetime) -> Decimal:
    connection = await session.connection()
    found = (await connection.execute(BALANCE_BEFORE, {"w": wallet_id, "at": at})).scalar()
    return Decimal(0) if found is None else Decimal(found)


async def statement(session: AsyncSession, wallet_id: int, within: Period) -> Statement:
    wallet = await session.get(Wallet, wallet_id)
    if wallet is None:
        raise NotFound("walletId", f"no wallet with id {wallet_id}")
    connection = await session.connection()
    params = {"w": wallet_id, "start": within.start, "end": within.end}
    groups = _groups(await connection.execute(GROUPS, params))
    usage = [
        MetricUsage(
            r.metric_code, r.unit_label, Decimal(r.units), Decimal(r.credits), int(r.entries)
        )
        for r in await connection.execute(USAGE, params)
    ]
    opening = await _balance_before(session, wallet_id, within.start)
    closing = await _balance_before(session, wallet_id, within.end)
    return Statement(wallet, within, opening, closing, groups, usage)


CSV_HEADER = [
    "entry_id",
    "at",
    "kind",
    "credits",
    "paid_credits",
    "free_credits",
    "balance_after",
    "value",
    "description",
    "metric",
    "units",
    "unit_label",
]


async def to_csv(session: AsyncSession, found: Statement) -> str:
    """Every movement of the statement, oldest first; value = credits × rate (half-up)."""
    params = {"w": found.wallet.id, "start": found.period.start, "end": found.period.end}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    currency, plain = found.wallet.currency, money.plain_credits
    for r in await (await session.connection()).execute(LINES, params):
        writer.writerow(
            [
                r.id,
                r.created_at.astimezone(UTC).isoformat(),
                r.kind,
                plain(r.credits),
                plain(r.paid),
                plain(r.free),
                plain(r.balance_after),
                money.format_money(found.value(r.credits), currency),
                r.description,
                r.metric_code or "",
                "" if r.units is None else plain(r.units),
                r.unit_label or "",
            ]
        )
    return out.getvalue()
