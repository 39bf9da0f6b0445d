"""The numeric limits on the event hot path: what one event may add, and the checks on what a
batch adds to stored totals.

Each event's value (at most ``QUANTITY_LIMIT``) and its own credit price (at most
``CREDITS_LIMIT``: ``Price.most_units``) are checked with the event. What a batch adds to stored
totals — a period's quantity and what it costs in credits or money, a wallet's balance — is
known only once the usage upsert has returned the totals: ``usage.record``, ``ingest`` and
``progressive.price`` compare them with the limits in Python before sending the next statement,
and raise ``OverLimit``. The limits sit a thousandfold inside the columns (``app.money``), so
no statement of the batch has overflowed by then; the batch is run again, carefully
(``app.flows.headroom``), and only the events that would cross a limit are rejected as
``too_large``. A batch far from every limit pays a few comparisons.
"""

from __future__ import annotations

from app.db.retry import TryAgain
from app.errors import ValidationFailed
from app.money import CREDITS_LIMIT, MINOR_LIMIT, QUANTITY_LIMIT, format_money


class OverLimit(TryAgain):
    """A sum of this batch would cross a limit: run the batch again, carefully."""


def value_field(prefix: str, metric_field: str, prop: str | None) -> str:
    """The field an event's value comes from: ``properties.gb``, or the metric for count."""
    return f"{prefix}.{prop}" if prop is not None else metric_field


def costly(field: str) -> ValidationFailed:
    return ValidationFailed(
        field, f"costs more than {CREDITS_LIMIT:,} credits (the limit)", code="too_large"
    )


def check_amount(minor: int) -> None:
    """A money-priced period's amount of one charge stays within the limit."""
    if minor > MINOR_LIMIT:
        raise OverLimit


def too_large(field: str, what: str) -> ValidationFailed:
    return ValidationFailed(field, f"would bring {what} (the limit)", code="too_large")


def quantity_message(code: str) -> str:
    return f"the period's usage of '{code}' over {QUANTITY_LIMIT:,} units"


def credits_message(code: str) -> str:
    return f"the period's usage of '{code}' over {CREDITS_LIMIT:,} credits"


def money_message(code: str, currency: str) -> str:
    return f"the period's usage of '{code}' over {format_money(MINOR_LIMIT, currency)} {currency}"


def balance_message() -> str:
    return f"the wallet's balance below -{CREDITS_LIMIT:,} credits"
