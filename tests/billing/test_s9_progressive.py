"""S9 end to end: graduated tiers, thresholds 50.00 and 100.00 then every 200.00, threshold
invoices as usage crosses them, the period-end invoice that subtracts them."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    amounts,
    invoices,
    scale_customer,
    scale_plan,
    send,
    subscription,
    tick,
)
from tests.billing.support import gb_events as gb
from tests.conftest import GraphQLClient, relay_all
from tests.payments.support import jobs_for, settle_all
from workers.system import JobSystem


async def _crossed(
    surface: str,
    events: list[Any],
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> dict[str, Any]:
    """Send the events; the crossing job is written with them, and the invoice exists as soon
    as that job has run — at the very time of the events (the clock does not move)."""
    before = len(await jobs_for(runtime.db, "billing.invoice_threshold"))
    await send(surface, gql, http, events)
    assert len(await jobs_for(runtime.db, "billing.invoice_threshold")) == before + 1
    await relay_all(database_url, jobs, clock)  # the crossing's job, nothing else needed
    invoice = (await invoices(gql, "THRESHOLD"))[-1]
    assert datetime.fromisoformat(invoice["finalizedAt"]) == clock.now()
    await settle_all(database_url, jobs, clock)  # its payment
    return invoice


async def test_s9_threshold_invoices_then_a_period_end_invoice_of_zero(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    plan = await scale_plan(gql)
    assert plan["thresholds"] == [
        {"amount": {"amount": "50.00"}, "recurring": False},
        {"amount": {"amount": "100.00"}, "recurring": False},
        {"amount": {"amount": "200.00"}, "recurring": True},
    ]
    assert plan["charges"][0]["tiers"] == [
        {"upTo": "100", "unitPrice": "0.5", "flatFee": "0"},
        {"upTo": None, "unitPrice": "0.4", "flatFee": "0"},
    ]
    _, subscription_id = await scale_customer(gql)
    clock.advance(timedelta(hours=1))
    args = (gql, http, runtime, database_url, jobs, clock)

    first = await _crossed("http", gb("a", 120), *args)  # usage 58.00
    assert (first["type"], first["total"]["amount"], first["threshold"]["amount"]) == (
        "THRESHOLD",
        "58.00",
        "50.00",
    )
    assert amounts(first) == ["58.00"]
    assert first["lines"][0]["description"] == "Gb Processed · 120 GB · 100 × 0.5 + 20 × 0.4"
    assert first["lines"][0]["quantity"] == "120"
    assert (first["number"], first["subscription"]["id"]) == ("TLY-000001", subscription_id)

    clock.advance(timedelta(minutes=5))
    second = await _crossed("graphql", gb("b", 130), *args)  # 250 GB: usage 110.00
    assert (second["total"]["amount"], second["threshold"]["amount"]) == ("52.00", "100.00")
    assert amounts(second) == ["110.00", "-58.00"]

    clock.advance(timedelta(minutes=5))
    third = await _crossed("http", gb("c", 500, per_event=50), *args)  # 750 GB: usage 310.00
    assert (third["total"]["amount"], third["threshold"]["amount"]) == ("200.00", "300.00")
    assert amounts(third) == ["310.00", "-110.00"]
    assert [i["status"] for i in await invoices(gql, "THRESHOLD")] == ["PAID"] * 3

    found = await subscription(gql, subscription_id)
    assert found["billingPeriod"]["usage"]["amount"] == "310.00"
    assert found["billingPeriod"]["billedByThresholds"]["amount"] == "310.00"
    assert found["billingPeriod"]["lastThreshold"]["amount"] == "300.00"
    assert found["billingPeriod"]["nextThreshold"]["amount"] == "500.00"
    assert found["usage"] == [
        {"metricCode": "gb_processed", "units": "750", "amount": {"amount": "310.00"}}
    ]
    await _announced(runtime, subscription_id)

    period_end = datetime.fromisoformat(found["currentPeriodEnd"])
    clock.set(period_end)
    await tick(runtime, database_url, jobs, clock)
    [closing] = await invoices(gql, "PERIOD_END")
    assert (closing["total"]["amount"], closing["status"]) == ("0.00", "PAID")
    assert amounts(closing) == ["310.00", "-310.00"]
    assert closing["periodEnd"] == found["currentPeriodEnd"]
    assert closing["periodStart"] == found["currentPeriodStart"]

    rolled = await subscription(gql, subscription_id)
    assert rolled["currentPeriodStart"] == found["currentPeriodEnd"]
    assert rolled["billingPeriod"]["usage"]["amount"] == "0.00"
    assert rolled["usage"][0]["units"] == "0"

    clock.advance(timedelta(minutes=1))
    await tick(runtime, database_url, jobs, clock)  # the period closes once
    assert len(await invoices(gql, "PERIOD_END")) == 1


async def _announced(runtime: Runtime, subscription_id: str) -> None:
    """Each crossing: a subscription.threshold_reached webhook and the invoice email."""
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    reached = [e["data"] for e in emitted if e["type"] == "subscription.threshold_reached"]
    assert [(r["threshold"], r["usage"], r["invoice_total"]) for r in reached] == [
        ("50.00", "58.00", "58.00"),
        ("100.00", "110.00", "52.00"),
        ("300.00", "310.00", "200.00"),
    ]
    assert {str(r["subscription_id"]) for r in reached} == {subscription_id}
    sent = await jobs_for(runtime.db, "notifications.send")
    emails = [s for s in sent if s["template"] == "invoice_created"]
    assert [e["data"]["total"] for e in emails] == ["58.00", "52.00", "200.00"]


async def test_usage_below_every_threshold_invoices_nothing_early(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    _, subscription_id = await scale_customer(gql)
    await send("http", gql, http, gb("a", 90))  # 45.00
    await settle_all(database_url, jobs, clock)
    assert await invoices(gql, "THRESHOLD") == []
    assert await jobs_for(runtime.db, "billing.invoice_threshold") == []
    found = await subscription(gql, subscription_id)
    assert found["billingPeriod"]["usage"]["amount"] == "45.00"
    assert found["billingPeriod"]["nextThreshold"]["amount"] == "50.00"
