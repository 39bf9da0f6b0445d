"""Runway: how long a wallet's credits last at its recent burn rate, and the runway alert.

The burn rate is the credits consumed (``consumption`` entries; not voids, expiries or
rollovers) over the last ``window`` days, divided by the window's days. The runway is the
balance now (expired credits excluded) divided by that rate; the wallet runs out at
``now + runway``. No runway without burn or without credits. The console, the portal and the
API show this one computation (``Wallet.runway``); the alert uses it too.

The alert ("at this pace you run out in about 3 days") fires once when the runway falls below
the wallet's threshold (default 7 days; per wallet ``notice_settings``), recorded by a
``runway_states`` row, and re-arms — the row goes — when the runway is back at or above the
threshold or the wallet no longer burns. A wallet with nothing left is the depleted spend
alert's: the runway alert neither fires nor re-arms then. The scheduler's sweep
(``alerts.check_runways``) decides, a batch of wallets at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.money import exact

RATE_QUANTUM = Decimal("0.000001")
DAYS_QUANTUM = Decimal("0.01")


@dataclass(frozen=True)
class Runway:
    balance: Decimal
    daily_burn: Decimal  # credits per day over the window
    window_days: int
    days: Decimal | None  # None: no burn, or nothing left
    runs_out_at: datetime | None

    def below(self, threshold_days: int) -> bool:
        return self.days is not None and self.days < threshold_days


def project(balance: Decimal, consumed: Decimal, window_days: int, now: datetime) -> Runway:
    with exact():
        daily = (consumed / window_days).quantize(RATE_QUANTUM, rounding=ROUND_HALF_UP)
        if balance <= 0 or daily <= 0:
            return Runway(balance, daily, window_days, None, None)
        days = balance / daily
        seconds = int(days * 86_400)
    return Runway(
        balance,
        daily,
        window_days,
        days.quantize(DAYS_QUANTUM, rounding=ROUND_HALF_UP),
        now + timedelta(seconds=seconds),
    )


def describe(runway: Runway) -> str:
    """ "about 3 days at the current pace", or why there is no such estimate."""
    if runway.balance <= 0:
        return "no credits left" if runway.balance == 0 else "in debt"
    if runway.days is None:
        return f"no usage in the last {runway.window_days} days"
    whole = int(runway.days)
    if whole < 1:
        return "less than a day at the current pace"
    return f"about {whole:,} {'day' if whole == 1 else 'days'} at the current pace"
