"""Running a batch again, carefully, after it would have crossed a limit (``OverLimit``).

``Headroom`` is made once per request and passed to each try of ``ingest``; it turns careful
when a try raised ``OverLimit``. A careful try, once its events are stored, locks what the batch
will add to before deciding, in the hot path's own lock order — the period-usage rows (created
when missing, in key order), then the wallets (in id order) — and reads their totals. Then it
takes the new, charged events in the order they were sent: each is admitted while its period's
quantity, the period's price (credits, or money per charge) and its wallet's balance stay
within the limits, and rejected as ``too_large`` otherwise, its stored row deleted again. The
totals it reckons with are upper bounds of what the batch will write (a unique value counts as
new, a latest value as the highest), so a careful try never crosses a limit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from app import metering, plans
from app.db import sql
from app.errors import DomainError, ValidationFailed
from app.metering import ADDITIVE, Aggregation, FieldNames
from app.money import CREDITS_LIMIT, MINOR_LIMIT, QUANTITY_LIMIT
from app.plans import Key, Period, Resolved, key_of, period_of

TOUCH = sql.load("app.flows", "touch_usage")
LOCK_WALLETS = """
SELECT id, balance FROM wallets WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE
"""
FORGET = "DELETE FROM events WHERE transaction_id = ANY($1::text[])"


@dataclass
class Reached:
    """A period's billable quantity and event count so far, as the careful try reckons."""

    quantity: Decimal
    events: int


Reject = Callable[[int, DomainError], None]


@dataclass
class Headroom:
    """One request's state across its tries: careful once a try crossed a limit."""

    careful: bool = False

    async def admit(
        self,
        connection: asyncpg.Connection,
        events: Sequence[Resolved],
        names: FieldNames,
        reject: Reject,
        now: datetime,
    ) -> list[Resolved]:
        """The events that fit, in order; the others rejected and their rows deleted."""
        if not events:
            return []
        periods: dict[int, Period] = {}
        keys = [key_of(e, period_of(e, periods)) for e in events]
        reached = await _touch(connection, sorted(set(keys)), now)
        wallets = sorted({e.billing.wallet.id for e in events if e.billing.wallet is not None})
        balances = await _lock(connection, wallets)
        kept, refused = [], []
        for event, key in zip(events, keys, strict=True):
            error = _fits(event, reached[key], balances, names)
            if error is None:
                kept.append(event)
            else:
                reject(event.parsed.position, error)
                refused.append(event.parsed.transaction_id)
        if refused:
            await connection.execute(FORGET, refused)
        return kept


async def _touch(
    connection: asyncpg.Connection, keys: list[Key], now: datetime
) -> dict[Key, Reached]:
    rows = await connection.fetch(
        TOUCH, [k[0] for k in keys], [k[1] for k in keys], [k[2] for k in keys], now
    )
    return {(r[0], r[1], r[2]): Reached(r["reached"], r["events"]) for r in rows}


async def _lock(connection: asyncpg.Connection, wallets: list[int]) -> dict[int, Decimal]:
    if not wallets:
        return {}
    return {r["id"]: r["balance"] for r in await connection.fetch(LOCK_WALLETS, wallets)}


def _fits(
    event: Resolved, reached: Reached, balances: dict[int, Decimal], names: FieldNames
) -> ValidationFailed | None:
    """None, after counting the event in; or why it does not fit."""
    metric = event.metric
    value = event.value if isinstance(event.value, Decimal) else Decimal(1)
    additive = metric.aggregation in ADDITIVE
    quantity = reached.quantity + value if additive else max(reached.quantity, value)
    where = metering.value_field(names.properties, names.metric, metric.property)
    if quantity > QUANTITY_LIMIT:
        return metering.too_large(where, metering.quantity_message(metric.code))
    debit = Decimal(0)
    if event.price is not None:
        cost = plans.credits_for(event.price, quantity)
        if cost > CREDITS_LIMIT:
            return metering.too_large(where, metering.credits_message(metric.code))
        debit = cost - plans.credits_for(event.price, reached.quantity)
        wallet = event.billing.wallet
        assert wallet is not None
        if balances[wallet.id] - debit < -CREDITS_LIMIT:
            return metering.too_large(where, metering.balance_message())
        balances[wallet.id] -= debit
    if event.money is not None:
        assert event.plan is not None
        currency, count = event.plan.currency, reached.events + 1
        finals = [quantity] if metric.aggregation is not Aggregation.LATEST else [quantity, value]
        if any(plans.bound_minor(event.money, q, count, currency) > MINOR_LIMIT for q in finals):
            return metering.too_large(where, metering.money_message(metric.code, currency))
    reached.quantity, reached.events = quantity, reached.events + 1
    return None
