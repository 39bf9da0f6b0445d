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

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app import money
from app.plans.money_pricing import MoneyPrice, Position, event_amount


@dataclass(frozen=True)
class Fee:
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
    """The period's accrued amount after ``events`` (transaction id, units; in order) and
    each event's fee."""
    fees = []
    position = before
    with money.exact():
        for transaction_id, units in events:
            accrued = position.accrued + event_amount(price, position, units)
            minor = money.to_minor_units(accrued, currency) - money.to_minor_units(
                position.accrued, currency
            )
            fees.append(Fee(transaction_id, units, position.events + 1, minor))
            position = Position(position.quantity + units, position.events + 1, accrued)
    return position.accrued, fees


def position_before(row: Any, quantity: Decimal, events: int) -> Position:
    """The period before the batch: the upsert's totals (``row``) minus the batch's own
    ``quantity`` and ``events``."""
    return Position(row["quantity"] - quantity, row["events"] - events, row["accrued"])
