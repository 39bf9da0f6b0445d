"""Progressive billing's step on the event hot path, inside the ingest transaction.

For the batch's money-priced usage rows (``usage.record`` has folded the quantities and holds
their row locks), price each row's new period quantity (``money_pricing``: rounded once per
charge) and, in one statement, store the amounts and add the changes to each period's
``billing_periods.usage_minor`` — an upsert that locks the period rows in key order and
returns the totals, which then include every batch committed before. Batches without
money-priced usage send nothing.

A period crosses a threshold when its usage reaches a level above the highest one already
invoiced; then one more statement records the crossing (with a snapshot of the period's money
usage), marks the level and the amount billed, and writes the ``billing.invoice_threshold``
job to the outbox. Since the period row stays locked until commit, a second batch crossing the
same threshold at the same time waits, then sees the level already invoiced: one invoice. The
wallets are locked before (by the debits), as everywhere: wallet, then subscription period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import asyncpg

from app import metering
from app.db import sql
from app.db.retry import TryAgain
from app.plans import Group, MoneyUsage, Thresholds

INVOICE_THRESHOLD = "billing.invoice_threshold"


class InvoicedMeanwhile(TryAgain):
    """A period this batch added money usage to was invoiced (closed) after the batch read its
    subscription: the batch must run again, in a fresh savepoint or transaction, where the
    billing lookup sees the close (``app.db.retry.retrying``). The period row lock orders them:
    the closer committed first, so the usage would otherwise land in a final invoice's period
    and never be billed."""


PRICE = sql.load("app.billing", "price_money_usage")

CROSS = sql.load("app.billing", "cross_thresholds", actor=INVOICE_THRESHOLD)

PeriodKey = tuple[int, datetime]  # subscription, period start


@dataclass
class PeriodChange:
    group: Group  # any of the period's groups: subscription, plan, period
    delta: int = 0


@dataclass
class Priced:
    """The batch's changed money rows and what they add to each period."""

    rows: list[tuple[MoneyUsage, int]] = field(default_factory=list)  # (usage, new amount)
    periods: dict[PeriodKey, PeriodChange] = field(default_factory=dict)


@dataclass(frozen=True)
class Crossing:
    period_id: int
    level_minor: int
    usage_minor: int
    billed_minor: int  # before this crossing


def price(usages: Sequence[MoneyUsage]) -> Priced:
    """Price each row's period quantity; keep the rows whose amount changed. Pure;
    ``OverLimit`` when a charge's amount for the period would pass ``MINOR_LIMIT``."""
    priced = Priced()
    for item in usages:
        group = item.group
        amount = item.amount_minor(group.plan.currency)
        metering.check_amount(amount)
        if amount == item.priced_minor:
            continue
        priced.rows.append((item, amount))
        key = (group.subscription.id, group.period.start)
        change = priced.periods.setdefault(key, PeriodChange(group))
        change.delta += amount - item.priced_minor
    return priced


def thresholds(group: Group) -> Thresholds:
    """The subscription's own thresholds, else its plan's."""
    override = group.subscription.thresholds
    return override if override is not None else group.plan.thresholds


def crossing(row: asyncpg.Record, chosen: Thresholds) -> Crossing | None:
    """Did this period (as returned by ``PRICE``) cross a threshold not invoiced yet?"""
    if chosen.empty:
        return None
    usage, billed = row["usage_minor"], row["billed_minor"]
    level = chosen.level(usage)
    if level <= row["level_minor"] or usage <= billed:
        return None
    return Crossing(row["id"], level, usage, billed)


async def record(
    connection: asyncpg.Connection, usages: Sequence[MoneyUsage], now: datetime
) -> list[Crossing]:
    """Price the batch's money usage, add it to its periods, act on threshold crossings."""
    if not usages:
        return []
    priced = price(usages)
    if not priced.rows:
        return []
    rows = priced.rows  # locked already (the usage upsert)
    keys = sorted(priced.periods)  # the period rows are locked in key order
    returned = await connection.fetch(
        PRICE,
        [u.group.subscription.id for u, _ in rows],
        [u.group.metric.id for u, _ in rows],
        [u.group.period.start for u, _ in rows],
        [amount for _, amount in rows],
        [k[0] for k in keys],
        [k[1] for k in keys],
        [priced.periods[k].group.period.end for k in keys],
        [priced.periods[k].delta for k in keys],
        now,
    )
    if any(row["closed"] for row in returned):
        raise InvoicedMeanwhile
    found = []
    for row in returned:
        group = priced.periods[(row["subscription_id"], row["period_start"])].group
        crossed = crossing(row, thresholds(group))
        if crossed is not None:
            found.append(crossed)
    if found:
        await cross(connection, found, now)
    return found


async def cross(connection: asyncpg.Connection, found: list[Crossing], now: datetime) -> None:
    """Record the crossings (with a snapshot of their periods' usage), mark each period's level
    and amount billed, and write their ``billing.invoice_threshold`` jobs to the outbox. The
    period rows must be locked: by the ingest's upsert, or by a threshold change."""
    await connection.fetchrow(
        CROSS,
        [c.period_id for c in found],
        [c.level_minor for c in found],
        [c.usage_minor for c in found],
        [c.billed_minor for c in found],
        now,
    )
