"""Plain language: "Acme Corp has 4,230 credits left — about 12 days at the current pace"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation

from app import money as app_money
from app.audit import words

PACE_DAYS = 7

KIND_WORDS = {
    "GRANT": "Credits added",
    "PURCHASE": "Credits bought",
    "CONSUMPTION": "Usage",
    "VOID": "Credits removed",
    "EXPIRY": "Credits expired",
    "ROLLOVER": "Rolled over",
    "ADJUSTMENT": "Adjustment",
}
SOURCE_WORDS = {
    "PURCHASE": "purchase",
    "BUNDLE": "bundle",
    "AUTO_RECHARGE": "auto-recharge",
    "INTERVAL": "scheduled",
    "SIGNUP_BONUS": "signup bonus",
    "REWARD": "reward",
    "MANUAL": "granted by hand",
    "ROLLOVER": "rollover",
}


def credits(value: Decimal | str | int) -> str:
    return words.credits(value)


def number(value: Decimal | str | int) -> str:
    return words.number(value)


def money(amount: Decimal | str, currency: str) -> str:
    """ "1,234.50 USD": rounded half-up to the currency's minor unit (the one rounding rule)."""
    minor = app_money.to_minor_units(Decimal(str(amount)), currency)
    value = Decimal(minor).scaleb(-app_money.exponent(currency))
    return f"{value:,} {currency}"


def when(value: str | datetime) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.day} {moment:%b %Y, %H:%M}"


def day(value: str | datetime) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.day} {moment:%b %Y}"


def daily_pace(consumed: Sequence[Decimal]) -> Decimal:
    """Average credits consumed per day over the last ``PACE_DAYS`` days."""
    recent = list(consumed)[-PACE_DAYS:]
    return sum(recent, Decimal(0)) / PACE_DAYS if recent else Decimal(0)


def runway(balance: Decimal, pace: Decimal) -> str:
    """ "about 12 days at the current pace", or why there is no such estimate."""
    if balance <= 0:
        return "no credits left" if balance == 0 else "in debt"
    if pace <= 0:
        return "no usage in the last 7 days"
    days = int(balance / pace)
    if days < 1:
        return "less than a day at the current pace"
    return f"about {days:,} {'day' if days == 1 else 'days'} at the current pace"


def balance_sentence(name: str, balance: Decimal, pace: Decimal) -> str:
    if balance < 0:
        return f"{name} owes {credits(-balance)} (used beyond their credits)"
    if balance == 0:
        return f"{name} has no credits left"
    return f"{name} has {credits(balance)} left — {runway(balance, pace)}"


def parse_credits(text: str | None) -> Decimal:
    """A positive number of credits typed by a person ("1,500" or "1500.5"); ValueError
    with a message that says what to type otherwise."""
    cleaned = (text or "").strip().replace(",", "").replace(" ", "")
    if not cleaned:
        raise ValueError("Enter a number of credits, like 500.")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"“{text}” is not a number. Type digits only, like 500.") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("Enter a number of credits above zero.")
    if value != value.quantize(Decimal("0.000001")):
        raise ValueError("Use at most 6 decimal places.")
    return value


def your_balance_sentence(balance: Decimal, pace: Decimal) -> str:
    if balance < 0:
        return f"You owe {credits(-balance)} (used beyond your credits)"
    if balance == 0:
        return "You have no credits left"
    return f"You have {credits(balance)} left — {runway(balance, pace)}"
