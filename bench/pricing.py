"""Pricing benchmark: the CPU of pricing one 1,000-event batch with the new charge models,
side by side with main's code pricing the same batch with the models it has.

    .venv/bin/python -m bench.pricing [--main /work/main] [--repeat 300]

No database: it times the pure part of the ingest that pricing changes — folding a batch's
events by (subscription, metric, period) (``usage.group``) and pricing each group — in one
process, alternating the two sides so both see the same machine load:

* **main**: main's ``app/plans/usage.py`` and ``money_pricing.py`` (loaded from ``--main``),
  pricing a plan of the models main has: graduated (3 tiers), percentage with a fee per event,
  per_unit — each group priced once from its totals, as progressive billing does;
* **new**: this tree, pricing a plan of the new models at their most expensive: graduated with
  flat fees **paid in advance** (every event priced at its own position, its fee written for
  the in-advance invoice), percentage with free events, a free amount, a fixed fee and
  per-transaction bounds (every event priced), graduated percentage, package with free units.

A third side prices the new models from the totals (graduated with flat fees in arrears,
percentage with a fixed fee, graduated percentage): what most plans cost. A batch covers 32
customers; events are spread over the three metrics (calls 60 %, payments 30 %, volume 10 %).
The last line is machine-readable: the median CPU per batch of each side, to set against the
API CPU of a REST batch (``bench.ingest``).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

from app.metering import Aggregation
from app.metering.validation import Parsed
from app.plans import per_event, usage
from app.plans.catalog import Metric, PlanPrices
from app.plans.lookup import Billing, Subscribed
from app.plans.models import BillingInterval, ChargeModel, SubscriptionStatus
from app.plans.money_pricing import MoneyPrice, Position, Tier
from app.plans.resolution import Resolved

BATCH = 1000
CUSTOMERS = 32
NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)
ANCHOR = datetime(2026, 12, 1, tzinfo=UTC)
METRICS = {
    1: Metric(1, "calls", "Calls", "call", "calls", Aggregation.COUNT, None),
    2: Metric(2, "payments", "Payments", "USD", "USD", Aggregation.SUM, "amount"),
    3: Metric(3, "volume", "Volume", "USD", "USD", Aggregation.SUM, "amount"),
}
D = Decimal


def load(main: Path, name: str) -> ModuleType:
    """One of main's modules, under its own name (its imports resolve to this tree's app)."""
    spec = importlib.util.spec_from_file_location(f"main_{name}", main / f"app/plans/{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def new_prices(advance: bool = True) -> dict[int, MoneyPrice]:
    tiers = (Tier(D(100), D(1), D(10)), Tier(D(200), D("0.5"), D(20)), Tier(None, D("0.1"), D(30)))
    rated = (
        Tier(D(1000), D(0), D(200), D(1)),
        Tier(D(10000), D(0), D(300), D(2)),
        Tier(None, D(0), D(400), D(3)),
    )
    return {
        1: MoneyPrice(ChargeModel.GRADUATED, tiers=tiers, pay_in_advance=advance),
        2: MoneyPrice(
            ChargeModel.PERCENTAGE,
            percentage=D(1),
            fixed_fee=D("0.10"),
            free_units=D(500) if advance else D(0),
            free_events=3 if advance else 0,
            min_per_transaction=D("0.50") if advance else None,
            max_per_transaction=D(5) if advance else None,
        ),
        3: MoneyPrice(ChargeModel.GRADUATED_PERCENTAGE, tiers=rated),
    }


def main_prices(pricing: ModuleType) -> dict[int, Any]:
    tier, price, graduated = pricing.Tier, pricing.MoneyPrice, ChargeModel.GRADUATED
    tiers = (tier(D(100), D(1), D(10)), tier(D(200), D("0.5"), D(20)), tier(None, D("0.1"), D(30)))
    return {
        1: price(graduated, tiers=tiers),
        2: price(ChargeModel.PERCENTAGE, percentage=D(1), fixed_fee=D("0.10")),
        3: price(ChargeModel.PER_UNIT, unit_price=D("0.01")),
    }


def events(prices: dict[int, Any], rng: random.Random) -> list[Resolved]:
    plan = PlanPrices(1, "p", "USD", BillingInterval.MONTHLY, money_prices=prices)
    customers = [
        Billing(n, f"c{n}", Subscribed(n, SubscriptionStatus.ACTIVE, 1, ANCHOR, ANCHOR), None)
        for n in range(CUSTOMERS)
    ]
    batch = []
    for n in range(BATCH):
        pick = rng.random()
        metric = METRICS[1 if pick < 0.6 else 2 if pick < 0.9 else 3]
        value = None if metric.id == 1 else D(rng.randint(1, 2000))  # a count measures None
        props = {} if metric.id == 1 else {"amount": str(value)}
        parsed = Parsed(n, f"t{n}", f"c{n % CUSTOMERS}", metric.code, NOW, props, json.dumps(props))
        batch.append(
            Resolved(parsed, customers[n % CUSTOMERS], metric, value, plan, None, prices[metric.id])
        )
    return batch


def price_main(batch: list[Resolved], main_usage: ModuleType, pricing: ModuleType) -> int:
    total = 0
    for group in main_usage.group(batch).values():
        fold = group.fold
        total += int(pricing.amount_minor(group.money, fold.amount(), fold.events, "USD"))
    return total


def price_new(batch: list[Resolved]) -> int:
    total = 0
    for group in usage.group(batch).values():
        price, fold = group.money, group.fold
        assert price is not None
        if price.per_event:
            accrued, fees = per_event.price_events(price, Position(), group.units, "USD")
            written = [  # as app.billing.in_advance writes them
                {
                    "transaction_id": f.transaction_id,
                    "units": str(f.units),
                    "amount": f.amount_minor,
                }
                for f in fees
            ]
            total += int(accrued) + len(json.dumps(written))
        else:
            row = usage.MoneyUsage(group, price, fold.amount(), fold.events, 0)
            total += row.amount_minor("USD")
    return total


def cpu_ms(work: Callable[[], int]) -> float:
    start = time.process_time()
    work()
    return (time.process_time() - start) * 1000


def main(args: argparse.Namespace) -> None:
    main_usage, pricing = load(args.main, "usage"), load(args.main, "money_pricing")
    old_batch = events(main_prices(pricing), random.Random(7))
    totals = events(new_prices(advance=False), random.Random(7))
    each = events(new_prices(advance=True), random.Random(7))
    old: list[float] = []
    from_totals: list[float] = []
    per_event_: list[float] = []
    for _ in range(args.repeat):  # alternating: the same load for every side
        old.append(cpu_ms(lambda: price_main(old_batch, main_usage, pricing)))
        from_totals.append(cpu_ms(lambda: price_new(totals)))
        per_event_.append(cpu_ms(lambda: price_new(each)))
    before = statistics.median(old)
    arrears, advance = statistics.median(from_totals), statistics.median(per_event_)
    print(f"main's code, main's models:               {before:.3f} ms of CPU per batch")
    print(f"new models priced from the totals:        {arrears:.3f} ms (+{arrears - before:.3f})")
    print(f"new models, 90 % of events priced each:   {advance:.3f} ms (+{advance - before:.3f})")
    print(
        json.dumps(
            {
                "main_ms": round(before, 3),
                "totals_ms": round(arrears, 3),
                "each_ms": round(advance, 3),
            }
        )
    )


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--main", type=Path, default=Path("/work/main"))
    parser.add_argument("--repeat", type=int, default=300)
    return parser.parse_args()


if __name__ == "__main__":
    main(arguments())
