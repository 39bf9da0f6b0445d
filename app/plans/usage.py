"""Period-to-date usage, kept up to date in the ingest transaction, and what it costs.

For each (subscription, metric, period) a batch touches, one upsert folds the batch into the stored
quantity and returns it with ``billed`` (the quantity already debited). The rise of the billed
quantity (for latest: the highest value seen in the period) is priced (``pricing.increment``) and
recorded — unless a period's quantity or credits would pass its limit (``app.metering.limits``,
``period_fits``: ``OverLimit``, before anything more is sent); rows are written in key order so
concurrent batches lock them in the same order. unique_count first inserts the batch's values into
``usage_unique_values`` and adds the number that were new to the period.

Money-priced metrics are folded the same way (and counted in ``events``); pricing them is
progressive billing's step (``app.billing.progressive``), which gets each row's new quantity,
event count and the amount it was last priced at. Charges priced event by event
(``app.plans.per_event``) are priced here, under the row lock, and their exact sums written in
one more statement; pay-in-advance charges go to ``Recorded.in_advance`` (invoiced per batch by
``app.billing.in_advance``), not to progressive billing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import asyncpg

from app import metering, money
from app.db import sql
from app.db.statements import Statement
from app.metering import ADDITIVE, Aggregation, Fold, OverLimit
from app.money import CREDITS_LIMIT, QUANTITY_LIMIT
from app.plans import per_event, pricing
from app.plans.catalog import Metric, PlanPrices
from app.plans.lookup import Subscribed
from app.plans.money_pricing import MoneyPrice, amount_minor
from app.plans.per_event import Fee
from app.plans.periods import Period, billing_period
from app.plans.pricing import Price
from app.plans.resolution import Resolved

Key = tuple[int, int, datetime]  # subscription, metric, period start

UNIQUE = sql.load("app.plans", "unique_values")

UPSERT = sql.load("app.plans", "upsert_usage")


def period_fits(price: Price, quantity: Decimal) -> bool:
    """A credit-priced period's quantity and its price are within the limits."""
    return quantity <= QUANTITY_LIMIT and pricing.credits_for(price, quantity) <= CREDITS_LIMIT


FOLDS = {
    "add": "quantity = u.quantity + excluded.quantity",
    "max": "quantity = GREATEST(u.quantity, excluded.quantity)",
    "latest": "quantity = CASE WHEN u.latest_at IS NULL OR excluded.latest_at >= u.latest_at "
    "THEN excluded.quantity ELSE u.quantity END, "
    "latest_at = GREATEST(u.latest_at, excluded.latest_at)",
}

RECORD = sql.load("app.plans", "record_billed")

ACCRUE = sql.load("app.plans", "accrue_usage")

ONE = Decimal(1)


@dataclass
class Group:
    wallet_id: int | None  # the wallet credit prices debit
    metric: Metric
    price: Price | None  # in credits
    money: MoneyPrice | None  # or in money
    fold: Fold
    plan: PlanPrices
    subscription: Subscribed
    period: Period
    # A charge priced event by event: the batch's events (transaction id, units), in order.
    units: list[tuple[str, Decimal]] = field(default_factory=list)


@dataclass(frozen=True)
class Billed:
    """What a batch adds to the bill of one (subscription, metric, period)."""

    wallet_id: int
    metric: Metric
    units: Decimal
    credits: Decimal


@dataclass(frozen=True)
class MoneyUsage:
    """A money-priced (subscription, metric, period) after the batch: to be priced."""

    group: Group
    price: MoneyPrice
    quantity: Decimal
    events: int
    priced_minor: int  # what the period's quantity came to when last priced
    accrued: Decimal | None = None  # priced event by event: the exact sum of the events

    def amount_minor(self, currency: str) -> int:
        """The period's amount now, rounded once."""
        if self.accrued is not None:
            return money.to_minor_units(self.accrued, currency)
        return amount_minor(self.price, self.quantity, self.events, currency)


@dataclass(frozen=True)
class InAdvance:
    """A pay-in-advance (subscription, metric, period): the batch's events and their fees."""

    group: Group
    fees: list[Fee]


@dataclass(frozen=True)
class Recorded:
    billed: list[Billed]
    money: list[MoneyUsage]
    # The billed quantities and credits to write: for the caller to send with the debits
    # (``app.db.statements.alongside``), so the period's usage and the wallets change in one
    # round trip. None when nothing was billed.
    marks: Statement | None = None
    in_advance: list[InAdvance] = field(default_factory=list)


def _mode(aggregation: Aggregation) -> str:
    if aggregation in ADDITIVE:
        return "add"
    return "max" if aggregation is Aggregation.MAX else "latest"


def _billable(found: Group, quantity: Decimal) -> Decimal:
    """The quantity to bill: the period's quantity; for latest, the highest value seen, so the
    bill does not depend on how the events were batched or in which order they came."""
    if found.metric.aggregation is Aggregation.LATEST:
        return max(quantity, found.fold.peak)
    return quantity


def period_of(event: Resolved, periods: dict[int, Period]) -> Period:
    """The billing period of a priced event (``periods``: the last one found per subscription,
    as events of a batch mostly share it)."""
    subscription, plan = event.billing.subscription, event.plan
    assert subscription is not None and plan is not None
    moment = event.parsed.timestamp
    period = periods.get(subscription.id)
    if period is None or moment not in period:
        period = billing_period(subscription.anchor, subscription.started_at, plan.interval, moment)
        periods[subscription.id] = period
    return period


def key_of(event: Resolved, period: Period) -> Key:
    assert event.billing.subscription is not None
    return (event.billing.subscription.id, event.metric.id, period.start)


def group(events: Sequence[Resolved]) -> dict[Key, Group]:
    """Fold priced events by subscription, metric and the period of their timestamp."""
    groups: dict[Key, Group] = {}
    periods: dict[int, Period] = {}
    for event in events:
        subscription, plan = event.billing.subscription, event.plan
        assert subscription is not None and plan is not None
        moment = event.parsed.timestamp
        period = period_of(event, periods)
        key = (subscription.id, event.metric.id, period.start)
        found = groups.get(key)
        if found is None:
            wallet = event.billing.wallet
            found = groups[key] = Group(
                wallet.id if wallet is not None else None,
                event.metric,
                event.price,
                event.money,
                Fold(event.metric.aggregation),
                plan,
                subscription,
                period,
            )
        found.fold.add(event.value, moment)
        if found.money is not None and found.money.per_event:
            value = event.value  # a sum's value; None for a count: one event
            units = value if isinstance(value, Decimal) else ONE
            found.units.append((event.parsed.transaction_id, units))
    return groups


async def _count_new_values(connection: asyncpg.Connection, groups: dict[Key, Group]) -> None:
    rows = sorted(
        (key, value)
        for key, found in groups.items()
        if found.metric.aggregation is Aggregation.UNIQUE_COUNT
        for value in found.fold.values
    )
    if not rows:
        return
    inserted = await connection.fetch(
        UNIQUE,
        [k[0] for k, _ in rows],
        [k[1] for k, _ in rows],
        [k[2] for k, _ in rows],
        [v for _, v in rows],
    )
    new: dict[Key, int] = defaultdict(int)
    for row in inserted:
        new[(row[0], row[1], row[2])] += 1
    for key, found in groups.items():
        if found.metric.aggregation is Aggregation.UNIQUE_COUNT:
            found.fold.total = Decimal(new[key])


async def _upsert(
    connection: asyncpg.Connection,
    mode: str,
    keys: list[Key],
    groups: dict[Key, Group],
    now: datetime,
) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await connection.fetch(
        UPSERT.format(fold=FOLDS[mode]),
        [k[0] for k in keys],
        [k[1] for k in keys],
        [k[2] for k in keys],
        [groups[k].fold.amount() for k in keys],
        [groups[k].fold.events for k in keys],
        [groups[k].fold.latest_at for k in keys],
        now,
    )
    return rows


async def record(
    connection: asyncpg.Connection, events: Sequence[Resolved], now: datetime
) -> Recorded:
    """Add the batch's charged events to period usage; return what each credit-priced group
    must debit, each money-priced group's new totals, and the statement that records what was
    billed (the caller sends it)."""
    groups = group(events)
    await _count_new_values(connection, groups)
    by_mode: dict[str, list[Key]] = defaultdict(list)
    for key in sorted(groups):
        by_mode[_mode(groups[key].metric.aggregation)].append(key)
    billed: list[tuple[Key, Decimal, Decimal]] = []
    result, owed = [], []
    accruals: list[tuple[Key, Decimal]] = []
    in_advance: list[InAdvance] = []
    for mode in FOLDS:  # a fixed order of modes, keys sorted within: one global lock order
        if not by_mode[mode]:
            continue
        for row in await _upsert(connection, mode, by_mode[mode], groups, now):
            key = (row["subscription_id"], row["metric_id"], row["period_start"])
            found, before = groups[key], row["billed"]
            if row["quantity"] > QUANTITY_LIMIT:
                raise OverLimit
            if found.money is not None:
                usage = _money(found, found.money, row, accruals, in_advance)
                if usage is not None:
                    owed.append(usage)
                continue
            target = _billable(found, row["quantity"])
            if target <= before:
                continue
            assert found.price is not None and found.wallet_id is not None
            if not period_fits(found.price, target):
                raise OverLimit
            credits = pricing.increment(found.price, before, target)
            billed.append((key, target, credits))
            result.append(Billed(found.wallet_id, found.metric, target - before, credits))
    await _accrue(connection, accruals)
    if not billed:
        return Recorded(result, owed, in_advance=in_advance)
    marks = Statement(
        RECORD,
        (
            [k[0] for k, _, _ in billed],
            [k[1] for k, _, _ in billed],
            [k[2] for k, _, _ in billed],
            [q for _, q, _ in billed],
            [c for _, _, c in billed],
        ),
    )
    return Recorded(result, owed, marks, in_advance)


def _money(
    found: Group,
    price: MoneyPrice,
    row: asyncpg.Record,
    accruals: list[tuple[Key, Decimal]],
    in_advance: list[InAdvance],
) -> MoneyUsage | None:
    """A money row after the upsert: to progressive billing (None: billed in advance). A charge
    priced event by event is priced here, under the row's lock."""
    key = (row["subscription_id"], row["metric_id"], row["period_start"])
    accrued = None
    if price.per_event:
        before = per_event.position_before(row, found.fold.amount(), found.fold.events)
        accrued, fees = per_event.price_events(price, before, found.units, found.plan.currency)
        metering.check_amount(money.to_minor_units(accrued, found.plan.currency))
        accruals.append((key, accrued))
        if price.pay_in_advance:
            in_advance.append(InAdvance(found, fees))
            return None
    return MoneyUsage(found, price, row["quantity"], row["events"], row["money_minor"], accrued)


async def _accrue(connection: asyncpg.Connection, accruals: list[tuple[Key, Decimal]]) -> None:
    """Store the exact sums of the rows priced event by event (locked by the upsert)."""
    if not accruals:
        return
    await connection.execute(
        ACCRUE,
        [k[0] for k, _ in accruals],
        [k[1] for k, _ in accruals],
        [k[2] for k, _ in accruals],
        [a for _, a in accruals],
    )
