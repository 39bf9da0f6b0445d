"""The in-memory catalog: metrics, plans and their credit prices, kept per process.

Every change to a metric, plan or charge calls ``touch`` in its transaction, which gives
``catalog_state`` a new random version. The hot path and entitlement read that version in the
same query as the customer (``VERSION_SQL``), and ``Catalog.current`` reloads only when it
differs, so a change is seen by every process on its next read, with no polling and no TTL.
The version is read before the rows, so a snapshot is never labelled newer than its rows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import asyncpg
from sqlalchemy import text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.metering.models import Aggregation
from app.plans.models import BillingInterval, ChargeModel, ChargePricing
from app.plans.pricing import Price

VERSION_SQL = "(SELECT version FROM catalog_state WHERE id = 1)"

TOUCH = text(
    "INSERT INTO catalog_state (id, version) VALUES (1, gen_random_uuid()) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
)

METRICS = (
    "SELECT id, code, name, unit_singular, unit_plural, aggregation, property FROM billable_metrics"
)
PLANS = "SELECT id, code, currency, interval FROM plans"
CHARGES = (
    "SELECT plan_id, metric_id, pricing, model, credit_price, package_size FROM charges "
    "WHERE pricing = 'credits'"
)


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


@dataclass(frozen=True)
class Snapshot:
    version: uuid.UUID | None
    metrics: dict[str, Metric]  # by code
    metrics_by_id: dict[int, Metric]
    plans: dict[int, PlanPrices]


async def touch(session: AsyncSession) -> None:
    """Mark the catalog changed (call in the transaction that changes it)."""
    await (await session.connection()).execute(TOUCH)


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
    plans = {
        r["id"]: PlanPrices(r["id"], r["code"], r["currency"], BillingInterval(r["interval"]))
        for r in await connection.fetch(PLANS)
    }
    for r in await connection.fetch(CHARGES):
        plans[r["plan_id"]].credit_prices[r["metric_id"]] = Price(
            pricing=ChargePricing(r["pricing"]),
            model=ChargeModel(r["model"]),
            credit_price=r["credit_price"],
            package_size=r["package_size"],
        )
    return Snapshot(
        version=version,
        metrics={m.code: m for m in metrics},
        metrics_by_id={m.id: m for m in metrics},
        plans=plans,
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
