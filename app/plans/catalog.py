"""The in-memory catalog: metrics, plans, their credit and money prices and thresholds, kept per
process.

Every change to a metric, plan or charge calls ``app.catalog_version.touch`` in its transaction,
which gives ``catalog_state`` a new random version. The hot path and entitlement read that version
in the same query as the customer (``VERSION_SQL``), and ``Catalog.current`` reloads only when it
differs, so a change is seen by every process on its next read, with no polling and no TTL. The
version is read before the rows, so a snapshot is never labelled newer than its rows.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import asyncpg

from app.catalog_version import VERSION_SQL
from app.db import sql
from app.metering import Aggregation
from app.plans.models import BillingInterval, ChargeModel, ChargePricing
from app.plans.money_pricing import MoneyPrice, Tier
from app.plans.pricing import Price
from app.plans.thresholds import Thresholds
from app.plans.thresholds import of as thresholds_of

TierRow = tuple[Decimal | None, Decimal, Decimal, Decimal | None]  # up_to, price, fee, rate

METRICS = (
    "SELECT id, code, name, unit_singular, unit_plural, aggregation, property FROM billable_metrics"
)
PLANS = (
    "SELECT id, code, currency, interval, base_fee_minor, threshold_amounts, threshold_recurring "
    "FROM plans"
)
CHARGES = (
    "SELECT plan_id, metric_id, pricing, model, credit_price, package_size, free_units "
    "FROM charges "
    "WHERE pricing = 'credits'"
)
MONEY_CHARGES = sql.load("app.plans", "money_charges")


@dataclass(frozen=True)
class Metric:
    id: int
    code: str
    name: str
    unit_singular: str
    unit_plural: str
    aggregation: Aggregation
    property: str | None

    def label(self, units: Decimal) -> str:
        """Value translation: "1 report generated", "10 reports generated"."""
        return self.unit_singular if units == 1 else self.unit_plural


@dataclass(frozen=True)
class PlanPrices:
    id: int
    code: str
    currency: str
    interval: BillingInterval
    credit_prices: dict[int, Price] = field(default_factory=dict)  # by metric id
    money_prices: dict[int, MoneyPrice] = field(default_factory=dict)  # by metric id
    base_fee_minor: int = 0
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass(frozen=True)
class Snapshot:
    version: uuid.UUID | None
    metrics: dict[str, Metric]  # by code
    metrics_by_id: dict[int, Metric]
    plans: dict[int, PlanPrices]


async def load(connection: asyncpg.Connection) -> Snapshot:
    version = await connection.fetchval(f"SELECT {VERSION_SQL}")
    metrics = [
        Metric(
            id=r["id"],
            code=r["code"],
            name=r["name"],
            unit_singular=r["unit_singular"],
            unit_plural=r["unit_plural"],
            aggregation=Aggregation(r["aggregation"]),
            property=r["property"],
        )
        for r in await connection.fetch(METRICS)
    ]
    plans = {r["id"]: _plan(r) for r in await connection.fetch(PLANS)}
    for r in await connection.fetch(CHARGES):
        plans[r["plan_id"]].credit_prices[r["metric_id"]] = Price(
            pricing=ChargePricing(r["pricing"]),
            model=ChargeModel(r["model"]),
            credit_price=r["credit_price"],
            package_size=r["package_size"],
            free_units=r["free_units"],
        )
    for r in await connection.fetch(MONEY_CHARGES):
        plans[r["plan_id"]].money_prices[r["metric_id"]] = money_price(
            r,
            list(zip(r["up_to"], r["tier_prices"], r["tier_fees"], r["tier_rates"], strict=True)),
        )
    return Snapshot(
        version=version,
        metrics={m.code: m for m in metrics},
        metrics_by_id={m.id: m for m in metrics},
        plans=plans,
    )


def _plan(row: Any) -> PlanPrices:
    return PlanPrices(
        row["id"],
        row["code"],
        row["currency"],
        BillingInterval(row["interval"]),
        base_fee_minor=row["base_fee_minor"],
        thresholds=thresholds_of(row["threshold_amounts"], row["threshold_recurring"]),
    )


def money_price(charge: Any, tiers: Sequence[TierRow]) -> MoneyPrice:
    """A money charge's price from its stored fields (a row or a ``Charge``: anything with
    ``model``, ``unit_price``, ``package_size``, ``percentage``, ``fixed_fee``, the free units
    and events, the per-transaction bounds, ``pay_in_advance``) and its tiers (``up_to``,
    ``unit_price``, ``flat_fee``, ``rate``, in order)."""

    def get(name: str) -> Any:
        return getattr(charge, name) if hasattr(charge, name) else charge[name]

    zero = Decimal(0)
    return MoneyPrice(
        model=ChargeModel(get("model")),
        unit_price=get("unit_price") or zero,
        package_size=get("package_size") or 1,
        tiers=tuple(Tier(up_to, price, fee, rate or zero) for up_to, price, fee, rate in tiers),
        percentage=get("percentage") or zero,
        fixed_fee=get("fixed_fee") or zero,
        free_units=get("free_units") or zero,
        free_events=get("free_events") or 0,
        min_per_transaction=get("min_per_transaction"),
        max_per_transaction=get("max_per_transaction"),
        pay_in_advance=bool(get("pay_in_advance")),
    )


class Catalog:
    """The latest snapshot this process loaded."""

    def __init__(self) -> None:
        self._snapshot: Snapshot | None = None

    @property
    def loaded(self) -> Snapshot | None:
        """The snapshot in memory (None before the first read)."""
        return self._snapshot

    async def current(self, connection: asyncpg.Connection, version: uuid.UUID | None) -> Snapshot:
        """The snapshot for ``version`` (read in the caller's query), reloaded if stale."""
        snapshot = self._snapshot
        if snapshot is None or snapshot.version != version:
            snapshot = self._snapshot = await load(connection)
        return snapshot


EMPTY = Snapshot(version=None, metrics={}, metrics_by_id={}, plans={})
