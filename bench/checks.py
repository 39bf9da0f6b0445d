"""What checking events costs: the CPU of ``parse`` and ``resolve`` for a batch of 1,000.

    python -m bench.checks            # against this tree
    PYTHONPATH=/other/tree python -m bench.checks   # the same against another checkout

No I/O: a catalog with a count and a summed metric, one customer, 1,000 REST events each with
a timestamp and three properties. Prints the median and the best of 60 batches; on a shared
machine compare the best figures of two trees, run alternately.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from app.metering.models import Aggregation
from app.metering.validation import REST_FIELDS, Window, parse
from app.plans.catalog import Metric, PlanPrices, Snapshot
from app.plans.lookup import Billing, Subscribed, WalletState
from app.plans.models import BillingInterval, ChargeModel, ChargePricing, SubscriptionStatus
from app.plans.pricing import Price
from app.plans.resolution import resolve
from app.wallets.models import DepletionPolicy

NOW = datetime(2026, 1, 15, 12, tzinfo=UTC)
WINDOW = Window.around(NOW, 7, 300)
METRICS = {
    "api_call": Metric(1, "api_call", "API", "call", "calls", Aggregation.COUNT, None),
    "gb": Metric(2, "gb", "GB", "GB", "GB", Aggregation.SUM, "gb"),
}
PLAN = PlanPrices(
    1,
    "starter",
    "USD",
    BillingInterval.MONTHLY,
    credit_prices={
        1: Price(ChargePricing.CREDITS, ChargeModel.PER_UNIT, Decimal(1)),
        2: Price(ChargePricing.CREDITS, ChargeModel.PER_UNIT, Decimal(100)),
    },
)
SNAPSHOT = Snapshot(None, METRICS, {m.id: m for m in METRICS.values()}, {1: PLAN})
STARTED = NOW - timedelta(days=3)
CUSTOMERS = {
    "acme": Billing(
        1,
        "acme",
        Subscribed(1, SubscriptionStatus.ACTIVE, 1, STARTED, STARTED),
        WalletState(1, "USD", Decimal("0.01"), Decimal(6000), DepletionPolicy.ALLOW, Decimal(0)),
    )
}
EVENTS = [
    {
        "transaction_id": f"evt-{i:06d}-5d41402abc4b2a76",
        "customer_external_id": "acme",
        "metric_code": "gb" if i % 2 else "api_call",
        "timestamp": "2026-01-15T11:59:00Z",
        "properties": {"gb": 2.5, "region": "eu-west-1", "request_id": f"r-{i}"},
    }
    for i in range(1000)
]


def batch() -> float:
    """Milliseconds to check ``EVENTS``."""
    start = time.perf_counter()
    for index, raw in enumerate(EVENTS):
        resolve(parse(index, raw, REST_FIELDS, WINDOW), CUSTOMERS, SNAPSHOT, REST_FIELDS)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    for _ in range(5):
        batch()
    runs = sorted(batch() for _ in range(60))
    median, best = statistics.median(runs), runs[0]
    print(f"checks, 1,000 events (parse + resolve): median {median:.2f} ms, best {best:.2f} ms")


if __name__ == "__main__":
    main()
