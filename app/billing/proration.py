"""How much of a period's base fee a subscription owes: the days it ran in the period. Pure.

A billing period (``app.plans.periods``) is a whole number of 24-hour days, counted from its
start — the anchor's time of day, UTC. A subscription owes the fee for each of those days it
was live in, for any moment of it: fee × days live / days of the whole period, rounded half-up
once to the currency's minor unit (``money``). A whole period bills the whole fee; a first period
that starts mid-period, or one cut short by termination, bills its share. Terminated 3 seconds
after a start on day 26 of a 30-day period, a 30.00 fee bills 1 of 30 days: 1.00.

Days, not seconds, as Lago counts them: the invoice line states "5 of 30 days" and anyone
checks it with fee × 5 / 30, and the cost of the rule is bounded and stated (the day of the
start and the day of the end are billed whole). A plan change will split a period at the change
with the same count, the day of the change going to the new plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from app import money

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Share:
    days: int  # days of the period the subscription was live in
    of: int  # days of the whole period

    @property
    def whole(self) -> bool:
        return self.days == self.of

    @property
    def fraction(self) -> Decimal:
        """days / of, to the credit precision (an invoice line's quantity)."""
        with money.exact():
            return money.round_credits(Decimal(self.days) / Decimal(self.of))


def share(start: datetime, end: datetime, live_from: datetime, live_to: datetime) -> Share:
    """The days of the period [start, end) that [live_from, live_to) touches, of all its days."""
    length = end - start
    if length <= timedelta(0) or length % DAY:
        raise ValueError(f"a billing period is a whole number of days, not {length}")
    live_from, live_to = max(live_from, start), min(live_to, end)
    if live_to <= live_from:
        return Share(0, length // DAY)
    first = (live_from - start) // DAY  # the day the span starts in
    after = -((start - live_to) // DAY)  # the first day it does not reach (a ceiling)
    return Share(after - first, length // DAY)


def day_start(start: datetime, moment: datetime) -> datetime:
    """The start of the period's day (counted from ``start``) that holds ``moment``."""
    return start + ((moment - start) // DAY) * DAY


def fee_minor(fee_minor: int, part: Share, currency: str) -> int:
    """``fee_minor`` × days / of, rounded half-up to the minor unit once."""
    if part.whole or fee_minor == 0:
        return fee_minor
    with money.exact():
        owed = money.major_units(fee_minor, currency) * part.days / part.of
        return money.to_minor_units(owed, currency)
