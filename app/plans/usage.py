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
event count and the amount it was last priced at.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import asyncpg

from app.db import sql
from app.db.statements import Statement
from app.metering import ADDITIVE, Aggregation, Fold, OverLimit
from app.money import CREDITS_LIMIT, QUANTITY_LIMIT
from app.plans import pricing
from app.plans.catalog import Metric, PlanPrices
from app.plans.lookup import Subscribed
from app.plans.money_pricing import MoneyPrice
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


@dataclass(frozen=True)
class Recorded:
    billed: list[Billed]
    money: list[MoneyUsage]
    # The billed quantities and credits to write: for the caller to send with the debits
    # (``app.db.statements.alongside``), so the period's usage and the wallets change in one
    # round trip. None when nothing was billed.
    marks: Statement | None = None


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
    result, money = [], []
    for mode in FOLDS:  # a fixed order of modes, keys sorted within: one global lock order
        if not by_mode[mode]:
            continue
        for row in await _upsert(connection, mode, by_mode[mode], groups, now):
            key = (row["subscription_id"], row["metric_id"], row["period_start"])
            found, before = groups[key], row["billed"]
            if row["quantity"] > QUANTITY_LIMIT:
                raise OverLimit
            if found.money is not None:
                money.append(
                    MoneyUsage(
                        found, found.money, row["quantity"], row["events"], row["money_minor"]
                    )
                )
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
    if not billed:
        return Recorded(result, money)
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
    return Recorded(result, money, marks)
