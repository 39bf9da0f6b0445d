"""When an interval rule runs: at its anchor plus whole weeks or calendar months (a month
anchored on the 31st runs on the last day of shorter months)."""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from app.recharge.models import RuleInterval


def occurrence(anchor: datetime, interval: RuleInterval, k: int) -> datetime:
    if interval is RuleInterval.WEEKLY:
        return anchor + timedelta(weeks=k)
    months = anchor.month - 1 + k
    year, month = anchor.year + months // 12, months % 12 + 1
    day = min(anchor.day, calendar.monthrange(year, month)[1])
    return anchor.replace(year=year, month=month, day=day)


def next_after(anchor: datetime, interval: RuleInterval, now: datetime) -> datetime:
    """The first run strictly after ``now`` (and after the anchor itself)."""
    k = 1
    if interval is RuleInterval.WEEKLY and now > anchor:
        k = max(1, (now - anchor) // timedelta(weeks=1))
    while occurrence(anchor, interval, k) <= now:
        k += 1
    return occurrence(anchor, interval, k)


def month_start(now: datetime) -> datetime:
    """The start of ``now``'s calendar month (in ``now``'s time zone), for monthly caps."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
