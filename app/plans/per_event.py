"""Pricing a batch's events one by one, at their positions in the period (pure).

A money charge priced event by event (``MoneyPrice.per_event``: pay in advance, or percentage
with free units, free events or per-transaction bounds) is priced after the usage upsert, which
holds the period row's lock and returns the period's totals with the batch: the totals before
the batch are those minus the batch's own events, so each event is priced after every event
committed or folded before it — concurrent batches wait on the row and price in turn, exactly
as if they had come one after the other. The events of a batch are priced in request order.

Each event's amount is exact (``money_pricing.event_amount``); the period keeps their exact sum
(``accrued``). An event's amount in minor units is the rounded sum after it minus the rounded
sum before it, so a period's fees add up to its exact amount rounded once.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NamedTuple

from app import money
from app.plans.money_pricing import (
    ZERO,
    MoneyPrice,
    Position,
    exact_amount,
    transaction_amount,
)


class Fee(NamedTuple):  # a NamedTuple: up to a thousand are made per batch
    """One event's amount at its position in the period."""

    transaction_id: str
    units: Decimal
    position: int  # the event's number in the period, from 1
    amount_minor: int


def price_events(
    price: MoneyPrice,
    before: Position,
    events: list[tuple[str, Decimal]],
    currency: str,
) -> tuple[Decimal, list[Fee]]:
    """The period's accrued amount after ``events`` (transaction id, units; in order) and, for
    a pay-in-advance charge, each event's fee. One exact context for the batch; a charge priced
    from its totals carries the period's amount from one event to the next."""
    scale = Decimal(10) ** money.exponent(currency)
    quantity, count, accrued = before.quantity, before.events, before.accrued
    billed = _minor(accrued, scale)
    fees = []
    with money.exact():
        level = ZERO
        if not price.per_transaction and count:
            level = exact_amount(price, quantity, count)
        for transaction_id, units in events:
            if price.per_transaction:
                accrued += transaction_amount(price, quantity, count, units)
            else:
                reached = exact_amount(price, quantity + units, count + 1)
                accrued += reached - level
                level = reached
            quantity += units
            count += 1
            if price.pay_in_advance:
                minor = _minor(accrued, scale)
                fees.append(Fee(transaction_id, units, count, minor - billed))
                billed = minor
    return accrued, fees


def _minor(amount: Decimal, scale: Decimal) -> int:
    """``money.to_minor_units``: half-up to the minor unit (``scale``: 10 ** its exponent)."""
    return int((amount * scale).to_integral_value(ROUND_HALF_UP))


def position_before(row: Any, quantity: Decimal, events: int) -> Position:
    """The period before the batch: the upsert's totals (``row``) minus the batch's own
    ``quantity`` and ``events``."""
    return Position(row["quantity"] - quantity, row["events"] - events, row["accrued"])
