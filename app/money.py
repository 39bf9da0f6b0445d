"""Money and credits: exact types and every rounding rule Tally applies.

* Money is an integer count of a currency's minor units (cents for USD, yen for JPY,
  fils for KWD). It is never a float.
* Credits are exact decimals with six places (``Decimal``), stored as ``NUMERIC(24, 6)``.
* A wallet's rate is the money value of one credit in major units (``0.01`` USD), kept as a
  ``Decimal`` with up to 12 places.

* A money price (per unit, per package, per tier) is exact in major units with up to 12 places
  (``unit_price``): 0.0004 USD per token is a price, not an amount anyone pays.

Limits (the README's "Input limits"): the columns hold credits below 10^18 (``NUMERIC(24, 6)``),
rates and prices below 10^12 (``NUMERIC(24, 12)``) and minor units below 9.2 × 10^18
(``BIGINT``). What Tally accepts stays a thousandfold inside them — an amount of credits, a
balance either side of zero, a period's credits: ``CREDITS_LIMIT``; an event's value and a
period's quantity of a metric: ``QUANTITY_LIMIT``; a price, a charge's amount for a period,
an invoice line: ``MINOR_LIMIT`` — so that a sum of values at the limit (a batch of 1,000
events, the charges of one invoice) still fits, and a value that would cross a limit is
refused (``too_large``) before any statement could overflow.

Rounding rules (the only place they live):
* credit amounts round half-up to 6 places (``round_credits``);
* money rounds half-up to the currency's minor unit once per invoice line (``to_minor_units``);
  a charge's period amount is one line, so it is rounded once, from the exact price;
* a refund of purchased credits returns the purchase's money pro rata, cumulatively
  (``share``): the credits that have left a grant so far are worth
  ``round_half_up(cost × left / amount)`` minor units, and each movement is worth the
  difference it makes, so a grant's movements always add up to exactly its cost;
* money paid with credits converts at the wallet's rate, the credits rounded half-up to 6
  places (``credits_for_money``).
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from app.errors import ValidationFailed

CREDIT_PLACES = 6
CREDIT_QUANTUM = Decimal(1).scaleb(-CREDIT_PLACES)
RATE_PLACES = 12
CREDITS_LIMIT = Decimal(10) ** 15  # an amount of credits; a balance, debt, a period's credits
QUANTITY_LIMIT = Decimal(10) ** 15  # an event's value; a period's quantity of a metric
MINOR_LIMIT = 10**15  # minor units: a price, a charge's period amount, an invoice total
MAX_CREDITS = CREDITS_LIMIT
MAX_RATE = Decimal("999999999999.999999999999")  # fits NUMERIC(24, 12)
MAX_MINOR_UNITS = MINOR_LIMIT
PRICE_PLACES = 12
MAX_PRICE = MAX_RATE  # fits NUMERIC(24, 12)
PERCENT_PLACES = 4
HUNDRED = Decimal(100)
EXACT_DIGITS = 80  # precision of exact money arithmetic: no product of two stored values rounds

# ISO 4217 codes with their minor-unit exponent. Kept in code (not a dependency): the list
# changes rarely and the exponent is what billing needs.
CURRENCY_EXPONENTS: dict[str, int] = {
    **{
        code: 2
        for code in [
            "AED",
            "AFN",
            "ALL",
            "AMD",
            "ANG",
            "AOA",
            "ARS",
            "AUD",
            "AWG",
            "AZN",
            "BAM",
            "BBD",
            "BDT",
            "BGN",
            "BMD",
            "BND",
            "BOB",
            "BRL",
            "BSD",
            "BTN",
            "BWP",
            "BYN",
            "BZD",
            "CAD",
            "CDF",
            "CHF",
            "CNY",
            "COP",
            "CRC",
            "CUP",
            "CVE",
            "CZK",
            "DKK",
            "DOP",
            "DZD",
            "EGP",
            "ERN",
            "ETB",
            "EUR",
            "FJD",
            "FKP",
            "GBP",
            "GEL",
            "GHS",
            "GIP",
            "GMD",
            "GTQ",
            "GYD",
            "HKD",
            "HNL",
            "HTG",
            "HUF",
            "IDR",
            "ILS",
            "INR",
            "IRR",
            "JMD",
            "KES",
            "KGS",
            "KHR",
            "KPW",
            "KYD",
            "KZT",
            "LAK",
            "LBP",
            "LKR",
            "LRD",
            "LSL",
            "MAD",
            "MDL",
            "MGA",
            "MKD",
            "MMK",
            "MNT",
            "MOP",
            "MRU",
            "MUR",
            "MVR",
            "MWK",
            "MXN",
            "MYR",
            "MZN",
            "NAD",
            "NGN",
            "NIO",
            "NOK",
            "NPR",
            "NZD",
            "PAB",
            "PEN",
            "PGK",
            "PHP",
            "PKR",
            "PLN",
            "QAR",
            "RON",
            "RSD",
            "RUB",
            "SAR",
            "SBD",
            "SCR",
            "SDG",
            "SEK",
            "SGD",
            "SHP",
            "SLE",
            "SOS",
            "SRD",
            "SSP",
            "STN",
            "SVC",
            "SYP",
            "SZL",
            "THB",
            "TJS",
            "TMT",
            "TOP",
            "TRY",
            "TTD",
            "TWD",
            "TZS",
            "UAH",
            "USD",
            "UYU",
            "UZS",
            "VES",
            "WST",
            "XCD",
            "YER",
            "ZAR",
            "ZMW",
            "ZWL",
        ]
    },
    **{
        code: 0
        for code in [
            "BIF",
            "CLP",
            "DJF",
            "GNF",
            "ISK",
            "JPY",
            "KMF",
            "KRW",
            "PYG",
            "RWF",
            "UGX",
            "UYI",
            "VND",
            "VUV",
            "XAF",
            "XOF",
            "XPF",
        ]
    },
    **{code: 3 for code in ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"]},
}


def normalize_currency(code: str, field: str = "currency") -> str:
    """Return the upper-case ISO 4217 code, or raise a typed error naming ``field``."""
    candidate = code.strip().upper() if isinstance(code, str) else ""
    if len(candidate) != 3 or not candidate.isalpha():
        raise ValidationFailed(field, f"'{code}' is not a three-letter ISO 4217 currency code")
    if candidate not in CURRENCY_EXPONENTS:
        raise ValidationFailed(field, f"unknown currency '{candidate}'", code="unknown_currency")
    return candidate


def exponent(currency: str) -> int:
    return CURRENCY_EXPONENTS[currency]


def parse_decimal(value: object, field: str) -> Decimal:
    """Turn user input (str, int or Decimal; never float) into a finite Decimal."""
    if isinstance(value, (bool, float)):
        raise ValidationFailed(
            field, "must be given as a decimal string or an integer, not a float"
        )
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationFailed(field, f"'{value}' is not a number") from None
    if not number.is_finite():
        raise ValidationFailed(field, "must be a finite number")
    return number


def credits(value: object, field: str = "amount", *, allow_zero: bool = False) -> Decimal:
    """Validate a positive credit amount given by a user: at most 6 decimal places."""
    number = parse_decimal(value, field)
    if number < 0 or (number == 0 and not allow_zero):
        raise ValidationFailed(field, "must be greater than zero", code="invalid_amount")
    if number.as_tuple().exponent < -CREDIT_PLACES:  # type: ignore[operator]
        raise ValidationFailed(
            field, f"has more than {CREDIT_PLACES} decimal places", code="invalid_amount"
        )
    if number > MAX_CREDITS:
        raise ValidationFailed(field, f"must be at most {MAX_CREDITS:,} credits", code="too_large")
    return number.quantize(CREDIT_QUANTUM)


def round_credits(value: Decimal) -> Decimal:
    """Round a computed credit amount (a debit) half-up to 6 places (exactly, whatever its
    size: a price times a quantity may have more digits than the default context's 28)."""
    with exact():
        return value.quantize(CREDIT_QUANTUM, rounding=ROUND_HALF_UP)


def rate(value: object, field: str = "rate") -> Decimal:
    """Validate a wallet rate: the money value of one credit, > 0, at most 12 places."""
    number = parse_decimal(value, field)
    if number <= 0:
        raise ValidationFailed(field, "must be greater than zero", code="invalid_rate")
    if number.as_tuple().exponent < -RATE_PLACES:  # type: ignore[operator]
        raise ValidationFailed(field, f"has more than {RATE_PLACES} decimal places")
    if number > MAX_RATE:
        raise ValidationFailed(field, "must be less than 1,000,000,000,000", code="too_large")
    return number


def to_minor_units(amount: Decimal, currency: str) -> int:
    """Round a major-unit money amount half-up to the currency's minor unit."""
    quantum = Decimal(1).scaleb(-exponent(currency))
    with exact():
        return int(amount.quantize(quantum, rounding=ROUND_HALF_UP).scaleb(exponent(currency)))


def exact() -> AbstractContextManager[Context]:
    """A decimal context for exact money arithmetic: ``with money.exact(): ...``."""
    return localcontext(prec=EXACT_DIGITS)


def unit_price(value: object, field: str = "unitPrice") -> Decimal:
    """Validate a money price in major units: >= 0, at most 12 decimal places."""
    number = parse_decimal(value, field)
    if number < 0:
        raise ValidationFailed(field, "must not be negative", code="invalid_amount")
    if number.as_tuple().exponent < -PRICE_PLACES:  # type: ignore[operator]
        raise ValidationFailed(
            field, f"has more than {PRICE_PLACES} decimal places", code="invalid_amount"
        )
    if number > MAX_PRICE:
        raise ValidationFailed(field, "must be less than 1,000,000,000,000", code="too_large")
    return number


def percent(value: object, field: str = "percentage") -> Decimal:
    """Validate a percentage: 0 to 100, at most 4 decimal places."""
    number = parse_decimal(value, field)
    if not 0 <= number <= HUNDRED:
        raise ValidationFailed(field, "must be between 0 and 100", code="invalid_percentage")
    if number.as_tuple().exponent < -PERCENT_PLACES:  # type: ignore[operator]
        raise ValidationFailed(field, f"has more than {PERCENT_PLACES} decimal places")
    return number


def major_units(minor: int, currency: str) -> Decimal:
    """``5800, "USD"`` -> ``Decimal("58.00")`` (exact)."""
    return Decimal(minor).scaleb(-exponent(currency))


def share(total_minor: int, part: Decimal, whole: Decimal) -> int:
    """``total_minor × part / whole``, rounded half-up to a minor unit (exact)."""
    if whole <= 0:
        return 0
    with exact():
        value = Decimal(total_minor) * part / whole
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def credits_for_money(minor: int, currency: str, rate: Decimal) -> Decimal:
    """The credits that pay ``minor`` at ``rate`` (money per credit), rounded half-up."""
    with exact():
        return round_credits(major_units(minor, currency) / rate)


def minor_units(value: object, currency: str, field: str = "price") -> int:
    """Validate a user-given money amount in major units ("50.00") and return minor units."""
    number = parse_decimal(value, field)
    if number < 0:
        raise ValidationFailed(field, "must not be negative", code="invalid_amount")
    if number.as_tuple().exponent < -exponent(currency):  # type: ignore[operator]
        raise ValidationFailed(
            field, f"has more decimal places than {currency} allows", code="invalid_amount"
        )
    if number > major_units(MAX_MINOR_UNITS, currency):
        limit = format_money(MAX_MINOR_UNITS, currency)
        raise ValidationFailed(field, f"must be at most {limit} {currency}", code="too_large")
    return int(number.scaleb(exponent(currency)))


def format_money(minor: int, currency: str) -> str:
    """``5000, "USD"`` -> ``"50.00"`` (major units, exact)."""
    places = exponent(currency)
    return f"{Decimal(minor).scaleb(-places):.{places}f}"


def format_credits(amount: Decimal) -> str:
    """Human form without trailing zeros: ``Decimal("1487.500000")`` -> ``"1,487.5"``."""
    normalized = amount.quantize(CREDIT_QUANTUM).normalize()
    text = f"{normalized:,f}"
    return text


def plain_credits(value: Decimal) -> str:
    """``Decimal("1487.500000")`` -> ``"1487.5"``: exact, JSON-ready, no grouping."""
    return f"{value.quantize(CREDIT_QUANTUM).normalize():f}"
