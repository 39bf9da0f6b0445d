"""Money pricing end to end: every model priced on the hot path (flat, package, volume,
percentage with a fee per event), a threshold invoice that lists each charge, the hybrid plan
(base fee + credits + money overage), yearly periods, and a currency without minor units."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import httpx

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    amounts,
    create_plan,
    entitlement,
    invoices,
    send,
    subscription,
    tick,
)
from tests.conftest import GraphQLClient
from tests.core.support import grant
from tests.metering.support import create_metric, subscribe
from tests.payments.support import balance, customer_with_method, settle_all
from workers.system import JobSystem


def event(n: int, metric: str, customer: str = "acme", **properties: Any) -> dict[str, Any]:
    return {
        "transaction_id": f"e{n}",
        "customer_external_id": customer,
        "metric_code": metric,
        "properties": properties,
    }


async def test_each_money_model_on_the_hot_path_and_in_a_threshold_invoice(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "calls", singular="call", plural="calls")
    await create_metric(gql, "exports", singular="export", plural="exports")
    await create_metric(gql, "seats", "SUM", singular="seat", plural="seats", prop="seats")
    await create_metric(gql, "payments", "SUM", singular="USD", plural="USD", prop="amount")
    plan = await create_plan(
        gql,
        code="models",
        name="Models",
        moneyCharges=[
            {"metricCode": "calls", "unitPrice": "0.002"},
            {"metricCode": "exports", "model": "PACKAGE", "unitPrice": "1.00", "packageSize": 10},
            {
                "metricCode": "seats",
                "model": "VOLUME",
                "tiers": [
                    {"upTo": "10", "unitPrice": "5"},
                    {"unitPrice": "4", "flatFee": "10"},
                ],
            },
            {
                "metricCode": "payments",
                "model": "PERCENTAGE",
                "percentage": "2.5",
                "fixedFee": "0.30",
            },
        ],
        thresholds=[{"amount": "95.00"}],
    )
    assert [c["model"] for c in plan["charges"]] == ["PER_UNIT", "PACKAGE", "VOLUME", "PERCENTAGE"]
    assert plan["charges"][3]["percentage"] == "2.5" and plan["charges"][3]["fixedFee"] == "0.3"
    await customer_with_method(gql, "acme", None)
    subscription_id = await subscribe(gql, "acme", "models")

    events = [event(n, "calls") for n in range(1001)]  # 2.002 → 2.00
    events += [event(2000 + n, "exports") for n in range(11)]  # two packages: 2.00
    events += [event(3000, "seats", seats=8), event(3001, "seats", seats=4)]  # 12 × 4 + 10
    events += [event(4000, "payments", amount="1000"), event(4001, "payments", amount="200.40")]
    await send("http", gql, http, events[:500])
    await send("graphql", gql, http, events[500:])  # 30.01 + 0.60 for the payments
    found = await subscription(gql, subscription_id)
    assert {u["metricCode"]: u["amount"]["amount"] for u in found["usage"]} == {
        "calls": "2.00",
        "exports": "2.00",
        "seats": "58.00",
        "payments": "30.61",
    }
    assert found["billingPeriod"]["usage"]["amount"] == "92.61"
    await settle_all(database_url, jobs, clock)
    assert await invoices(gql, "THRESHOLD") == []

    await send("graphql", gql, http, [event(5000, "seats", seats=1)])  # 13 seats: 62.00
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    assert invoice["total"]["amount"] == "96.61"
    assert amounts(invoice) == ["2.00", "2.00", "62.00", "30.61"]
    assert [line["description"] for line in invoice["lines"]] == [
        "Calls · 1,001 calls · 1,001 × 0.002",
        "Exports · 11 exports · 2 × 1 per 10",
        "Seats · 13 seats · 13 × 4 + 10 (volume)",
        "Payments · 1,200.4 USD · 2.5% of 1,200.4 USD + 0.3 per event",
    ]


async def test_hybrid_plan_base_fee_credits_and_money_overage(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "api_call", singular="API call", plural="API calls")
    await create_metric(gql, "gb", "SUM", singular="GB", plural="GB", prop="gb")
    await create_plan(
        gql,
        code="hybrid",
        name="Hybrid",
        baseFee="20.00",
        charges=[{"metricCode": "api_call", "creditPrice": "1"}],
        moneyCharges=[{"metricCode": "gb", "unitPrice": "0.10"}],
    )
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "500", "g")
    subscription_id = await subscribe(gql, "acme", "hybrid")

    events = [event(n, "api_call") for n in range(100)] + [event(200, "gb", gb="45.5")]
    payload = await send("http", gql, http, events)
    assert payload["wallets"][0]["balance"] == "400"  # credits debited at once
    assert await balance(gql, wallet_id) == 400
    for metric in ("api_call", "gb"):
        assert (await entitlement(gql, "acme", metric))["allowed"] is True

    found = await subscription(gql, subscription_id)
    clock.set(datetime.fromisoformat(found["currentPeriodEnd"]))
    await tick(runtime, database_url, jobs, clock)
    [closing] = await invoices(gql, "PERIOD_END")
    assert amounts(closing) == ["20.00", "4.55"]
    assert closing["lines"][0]["description"] == "Hybrid · base fee · 15 Jan – 15 Feb 2026"
    assert (closing["total"]["amount"], closing["status"]) == ("24.55", "PAID")


async def test_yearly_periods_bill_once_a_year_from_the_anchor(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    await create_plan(gql, code="annual", name="Annual", interval="YEARLY", baseFee="1200")
    await customer_with_method(gql, "acme")
    anchor = datetime(2026, 1, 1, tzinfo=clock.now().tzinfo)
    await gql(
        """mutation($a: DateTime!) { createSubscription(input: {customerExternalId: "acme",
          planCode: "annual", anchor: $a}) { __typename } }""",
        a=anchor.isoformat(),
    )
    clock.advance(timedelta(days=40))
    await tick(runtime, database_url, jobs, clock)
    assert await invoices(gql, "PERIOD_END") == []

    clock.set(datetime(2027, 1, 1, tzinfo=anchor.tzinfo))
    await tick(runtime, database_url, jobs, clock)
    [closing] = await invoices(gql, "PERIOD_END")
    # The first period runs from the start (15 Jan 2026 12:00) to the anchor date: 351 of
    # 365 days of 1,200.00 = 1,153.97.
    assert (closing["periodStart"], closing["periodEnd"]) == (
        "2026-01-15T12:00:00+00:00",
        "2027-01-01T00:00:00+00:00",
    )
    assert closing["total"]["amount"] == "1153.97"


async def test_a_yen_plan_rounds_to_whole_yen(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "calls")
    await create_plan(
        gql,
        code="yen",
        name="Yen",
        currency="JPY",
        moneyCharges=[{"metricCode": "calls", "unitPrice": "0.5"}],
        thresholds=[{"amount": "100"}],
    )
    await gql(
        """mutation { createCustomer(input: {externalId: "tokyo", name: "Tokyo",
          currency: "JPY"}) { __typename } }"""
    )
    await subscribe(gql, "tokyo", "yen")
    await send("http", gql, http, [event(n, "calls", "tokyo") for n in range(201)])  # 100.5
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    assert invoice["total"] == {"amount": "101", "currency": "JPY"}
