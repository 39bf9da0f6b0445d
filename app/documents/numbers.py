"""Money, numbers and days in a locale's words (Babel, CLDR data)."""

from __future__ import annotations

import functools
import re
from datetime import datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, get_currency_precision

from app.documents.text import spaced, writable

FALLBACK = "en_US"


@functools.lru_cache(maxsize=64)
def locale_of(name: str) -> Locale:
    """The Babel locale "de_DE" or "de-DE" names; en_US when it names none."""
    try:
        return Locale.parse(name.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return Locale.parse(FALLBACK)


def money(minor: int, currency: str, locale: str, *, places: int | None = None) -> str:
    """5000 USD → "$50.00" (en_US), "50,00 $" (de_DE); with the ISO code when the locale's
    symbol cannot be written in a document ("INR 1,00,000.00" rather than "₹1,00,000.00").
    ``places``: the minor unit's places when not the currency's (a unit price's)."""
    places = get_currency_precision(currency) if places is None else places
    amount = Decimal(minor).scaleb(-places)
    where = locale_of(locale)
    text = spaced(format_currency(amount, currency, locale=where, decimal_quantization=False))
    if writable(text):
        return text
    pattern = str(where.currency_formats["standard"].pattern).replace("¤", "\0")
    with_code = re.sub("\0(?=[#0])", "¤¤\u00a0", pattern).replace("\0", "¤¤")
    return spaced(
        format_currency(
            amount, currency, format=with_code, locale=where, decimal_quantization=False
        )
    )


def price(amount: Decimal, currency: str, locale: str) -> str:
    """A unit price in major units, at least the currency's places and every further digit it
    has: 0.0015 USD → "$0.0015", 2 USD → "$2.00" (en_US)."""
    places = get_currency_precision(currency)
    exponent = amount.normalize().as_tuple().exponent
    extra = -exponent if isinstance(exponent, int) and exponent < -places else places
    return money(int(amount.scaleb(extra)), currency, locale, places=extra)


def number(value: Decimal | int, locale: str) -> str:
    """Thousands grouped, no trailing zeros: 1500.500000 → "1,500.5" (en_US)."""
    exact = Decimal(value)
    exponent = exact.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    pattern = _pattern(places, optional=True)
    return spaced(format_decimal(exact, format=pattern, locale=locale_of(locale)))


def day(moment: datetime, locale: str) -> str:
    """ "7 Dec 2026" (en_GB), "Dec 7, 2026" (en_US), "07.12.2026" (de_DE)."""
    return format_date(moment.date(), format="medium", locale=locale_of(locale))


def _pattern(places: int, *, optional: bool = False) -> str:
    digit = "#" if optional else "0"
    return "#,##0" + ("." + digit * places if places else "")
