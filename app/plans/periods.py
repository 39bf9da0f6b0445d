"""Billing periods: whole months, quarters (3 months), half-years (6 months) or years from a
subscription's anchor.

The k-th period starts at the anchor moved by k intervals, the day clamped to the length of the
month (an anchor on 31 January gives 28 or 29 February, then 31 March; quarterly from
30 November: 28 or 29 February, 30 May, 30 August, 30 November). Times are UTC, so every
period is a whole number of days. A subscription's first billing period starts when the
subscription does and ends at the next anchor date (``billing_period``): with the anchor left
to default (the start: anniversary billing) it is a whole period; with an anchor on the 1st
(calendar months) a start on 10 August gives 10 August – 1 September.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime

from app.plans.models import BillingInterval


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


MONTHS = {
    BillingInterval.MONTHLY: 1,
    BillingInterval.QUARTERLY: 3,
    BillingInterval.SEMIANNUAL: 6,
    BillingInterval.YEARLY: 12,
}


def months(interval: BillingInterval) -> int:
    """The months an interval spans."""
    return MONTHS[interval]


def shift(anchor: datetime, months: int) -> datetime:
    """The anchor moved by a number of months, the day clamped to the target month."""
    index = anchor.year * 12 + anchor.month - 1 + months
    year, month = divmod(index, 12)
    day = min(anchor.day, calendar.monthrange(year, month + 1)[1])
    return anchor.replace(year=year, month=month + 1, day=day)


def period_containing(anchor: datetime, interval: BillingInterval, moment: datetime) -> Period:
    """The billing period that contains ``moment`` (before or after the anchor)."""
    anchor, moment = anchor.astimezone(UTC), moment.astimezone(UTC)
    step = months(interval)
    elapsed = (moment.year - anchor.year) * 12 + moment.month - anchor.month
    k = elapsed // step
    start = shift(anchor, k * step)
    if start > moment:
        k -= 1
    elif shift(anchor, (k + 1) * step) <= moment:
        k += 1
    return Period(shift(anchor, k * step), shift(anchor, (k + 1) * step))


def billing_period(
    anchor: datetime, started_at: datetime, interval: BillingInterval, moment: datetime
) -> Period:
    """The subscription's billing period containing ``moment`` (the first one for a moment
    before the start): the anchor's period, starting no earlier than the subscription."""
    moment = max(moment, started_at)
    full = period_containing(anchor, interval, moment)
    return Period(max(full.start, started_at.astimezone(UTC)), full.end)
