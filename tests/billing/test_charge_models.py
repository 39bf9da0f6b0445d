"""The charge models end to end through GraphQL, with the clock moved by the test; cases from
Lago's public scenario facts: graduated and volume with flat fees (the first tier's fee due at
zero usage), package with free units, percentage with free events, a free amount, a fee per
event and per-transaction bounds, graduated percentage (1 % + 200 / 2 % + 300 / 3 % + 400:
5,050 → 591.00, and in advance 500, 550, 4,000 → 205, 306, 80), pay-in-advance charges priced at
each event's position (first 2 free, then 2.00 → 0, 0, 2.00, exact under concurrent batches),
credits with free units, and bad input naming the field with nothing written."""

from __future__ import annotations

import asyncio
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    CREATE_PLAN,
    amounts,
    create_plan,
    invoices,
    send,
    subscription,
    tick,
)
from tests.conftest import GraphQLClient
from tests.core.support import count_rows, grant
from tests.metering.support import create_metric, subscribe
from tests.payments.support import balance, customer_with_method, settle_all
from workers.system import JobSystem

CHARGES = """query($code: String!) { plan(code: $code) { charges {
  model freeUnits freeEvents minPerTransaction maxPerTransaction payInAdvance
  tiers { upTo unitPrice flatFee rate } } } }"""


def event(tid: str, metric: str, customer: str = "acme", **properties: Any) -> dict[str, Any]:
    return {
        "transaction_id": tid,
        "customer_external_id": customer,
        "metric_code": metric,
        "properties": properties,
    }


def calls(prefix: str, count: int, customer: str = "acme") -> list[dict[str, Any]]:
    return [event(f"{prefix}-{n}", "calls", customer) for n in range(count)]


async def usage(gql: GraphQLClient, subscription_id: str) -> dict[str, str]:
    found = await subscription(gql, subscription_id)
    return {u["metricCode"]: u["amount"]["amount"] for u in found["usage"] if u["amount"]}


async def close_period(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    subscription_id: str,
) -> list[dict[str, Any]]:
    found = await subscription(gql, subscription_id)
    clock.set(datetime.fromisoformat(found["currentPeriodEnd"]))
    await tick(runtime, database_url, jobs, clock)
    return await invoices(gql, "PERIOD_END", subscription_id)


GRADUATED = [
    {"upTo": "100", "unitPrice": "1.00", "flatFee": "10"},
    {"from": "100", "upTo": "200", "unitPrice": "0.50", "flatFee": "20"},
    {"from": "200", "unitPrice": "0.10", "flatFee": "30"},
]
VOLUME = [
    {"upTo": "100", "unitPrice": "1.00", "flatFee": "10"},
    {"unitPrice": "0.50", "flatFee": "50"},
]


async def test_tier_flat_fees_graduated_and_volume_even_at_zero_usage(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "calls", singular="call", plural="calls")
    await create_metric(gql, "seats", "SUM", singular="seat", plural="seats", prop="seats")
    await create_plan(
        gql,
        code="tiers",
        name="Tiers",
        moneyCharges=[
            {"metricCode": "calls", "model": "GRADUATED", "tiers": GRADUATED},
            {"metricCode": "seats", "model": "VOLUME", "tiers": VOLUME},
        ],
    )
    [graduated, volume] = (await gql(CHARGES, code="tiers"))["plan"]["charges"]
    assert volume["tiers"][1]["flatFee"] == "50"
    assert graduated["tiers"][1] == {
        "upTo": "200",
        "unitPrice": "0.5",
        "flatFee": "20",
        "rate": None,
    }
    await customer_with_method(gql, "acme", None)
    await customer_with_method(gql, "idle", None)
    busy = await subscribe(gql, "acme", "tiers")
    idle = await subscribe(gql, "idle", "tiers")
    # Nothing used: the first tiers' flat fees are due (graduated 10, volume 10).
    assert await usage(gql, idle) == {"calls": "10.00", "seats": "10.00"}

    await send("http", gql, http, calls("a", 100))
    assert (await usage(gql, busy))["calls"] == "110.00"  # 100 × 1 + 10; tier 2 not entered
    await send("http", gql, http, calls("b", 150))  # 250: 110 + (50 + 20) + (5 + 30)
    await send("http", gql, http, [event("s1", "seats", seats=100)])
    assert await usage(gql, busy) == {"calls": "215.00", "seats": "110.00"}
    await send("http", gql, http, [event("s2", "seats", seats=50)])  # 150 × 0.50 + 50 only
    assert await usage(gql, busy) == {"calls": "215.00", "seats": "125.00"}

    [closing] = await close_period(gql, runtime, database_url, jobs, clock, busy)
    assert amounts(closing) == ["215.00", "125.00"]
    assert closing["lines"][0]["description"] == (
        "Calls · 250 calls · 100 × 1 + 10 + 100 × 0.5 + 20 + 50 × 0.1 + 30"
    )
    assert closing["lines"][1]["description"] == "Seats · 150 seats · 150 × 0.5 + 50 (volume)"
    [quiet] = await invoices(gql, "PERIOD_END", idle)
    assert amounts(quiet) == ["10.00", "10.00"]
    assert quiet["lines"][0]["description"] == "Calls · 0 calls · 0 × 1 + 10"
    assert quiet["total"]["amount"] == "20.00"


async def test_package_with_free_units_and_credits_with_free_units(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "calls", singular="call", plural="calls")
    await create_metric(gql, "reports", singular="report", plural="reports")
    await create_plan(
        gql,
        code="pack",
        name="Pack",
        moneyCharges=[
            {
                "metricCode": "calls",
                "model": "PACKAGE",
                "unitPrice": "5",
                "packageSize": 100,
                "freeUnits": "100",
            }
        ],
        charges=[{"metricCode": "reports", "creditPrice": "10", "freeUnits": "3"}],
    )
    wallet_id = await customer_with_method(gql, "acme", None)
    await grant(gql, wallet_id, "500", "g")
    subscription_id = await subscribe(gql, "acme", "pack")

    await send("http", gql, http, calls("a", 100))
    assert (await usage(gql, subscription_id))["calls"] == "0.00"  # the free 100
    await send("http", gql, http, calls("b", 1))
    assert (await usage(gql, subscription_id))["calls"] == "5.00"  # 1 unit: one package
    await send("http", gql, http, calls("c", 149))  # 250: 150 charged, 2 packages
    assert (await usage(gql, subscription_id))["calls"] == "10.00"

    # Credits: the first 3 reports of the period are free, each later one costs 10.
    reports = [event(f"r{n}", "reports") for n in range(5)]
    payload = await send("graphql", gql, http, reports[:2])
    assert payload["wallets"] == []  # nothing debited
    assert await balance(gql, wallet_id) == 500
    payload = await send("graphql", gql, http, reports[2:])  # the 3rd is free, then 2 × 10
    assert payload["wallets"][0]["balance"] == "480"
    assert await balance(gql, wallet_id) == 480

    [closing] = await close_period(gql, runtime, database_url, jobs, clock, subscription_id)
    assert amounts(closing) == ["10.00"]
    assert closing["lines"][0]["description"] == "Calls · 250 calls · 2 × 5 per 100 (100 free)"


async def test_percentage_with_free_events_free_amount_fixed_fee_and_bounds(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "payments", "SUM", singular="USD", plural="USD", prop="amount")
    await create_metric(gql, "transfers", "SUM", singular="USD", plural="USD", prop="amount")
    await create_plan(
        gql,
        code="fees",
        name="Fees",
        moneyCharges=[
            {
                "metricCode": "payments",
                "model": "PERCENTAGE",
                "percentage": "1",
                "fixedFee": "0.10",
                "freeEvents": 1,
                "minPerTransaction": "0.50",
                "maxPerTransaction": "5",
            },
            {  # the first 3 events or 500.00 are free, whichever ends first
                "metricCode": "transfers",
                "model": "PERCENTAGE",
                "percentage": "2",
                "fixedFee": "0.30",
                "freeEvents": 3,
                "freeUnits": "500",
            },
        ],
    )
    charges = (await gql(CHARGES, code="fees"))["plan"]["charges"]
    assert [(c["freeEvents"], c["minPerTransaction"], c["maxPerTransaction"]) for c in charges] == [
        (1, "0.5", "5"),
        (3, None, None),
    ]
    await customer_with_method(gql, "acme", None)
    subscription_id = await subscribe(gql, "acme", "fees")

    # payments: 100 (free event), 10 (1 % = 0.10, raised to 0.50, + 0.10), then in a later
    # batch 1,000 (10.00, capped at 5.00, + 0.10) and 200 (2.00 + 0.10): 7.80.
    await send("http", gql, http, [event("p1", "payments", amount="100")])
    assert (await usage(gql, subscription_id))["payments"] == "0.00"
    await send("http", gql, http, [event("p2", "payments", amount="10")])
    assert (await usage(gql, subscription_id))["payments"] == "0.60"
    await send(
        "graphql",
        gql,
        http,
        [event("p3", "payments", amount="1000"), event("p4", "payments", amount="200")],
    )
    # transfers: 400 (free: within 3 events and 500.00), 200 (passes 500: 2 % of the 100
    # above + 0.30 = 2.30), 50 (the free amount is used up: 1.00 + 0.30): 3.60.
    for n, amount in enumerate(("400", "200", "50")):
        await send("http", gql, http, [event(f"t{n}", "transfers", amount=amount)])
    assert await usage(gql, subscription_id) == {"payments": "7.80", "transfers": "3.60"}

    [closing] = await close_period(gql, runtime, database_url, jobs, clock, subscription_id)
    assert amounts(closing) == ["7.80", "3.60"]
    assert closing["lines"][0]["description"] == (
        "Payments · 1,310 USD · 1% of 1,310 USD + 0.1 per event (per transaction)"
    )


GRADUATED_PERCENTAGE = [
    {"upTo": "1000", "rate": "1", "flatFee": "200"},
    {"upTo": "10000", "rate": "2", "flatFee": "300"},
    {"rate": "3", "flatFee": "400"},
]


async def test_graduated_percentage_in_arrears_and_in_advance(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "volume", "SUM", singular="USD", plural="USD", prop="amount")
    for code, advance in (("arrears", False), ("advance", True)):
        await create_plan(
            gql,
            code=code,
            name=code.title(),
            moneyCharges=[
                {
                    "metricCode": "volume",
                    "model": "GRADUATED_PERCENTAGE",
                    "tiers": GRADUATED_PERCENTAGE,
                    "payInAdvance": advance,
                }
            ],
        )
    [charge] = (await gql(CHARGES, code="advance"))["plan"]["charges"]
    assert charge["payInAdvance"] is True
    assert [t["rate"] for t in charge["tiers"]] == ["1", "2", "3"]
    await customer_with_method(gql, "late", None)
    await customer_with_method(gql, "early", None)
    late = await subscribe(gql, "late", "arrears")
    early = await subscribe(gql, "early", "advance")

    for n, amount in enumerate(("500", "550", "4000")):
        for customer in ("late", "early"):
            tid = f"{customer}-{n}"
            await send("http", gql, http, [event(tid, "volume", customer, amount=amount)])
        await settle_all(database_url, jobs, clock)  # the batch's in-advance invoice
    ahead = await invoices(gql, "IN_ADVANCE", early)
    assert [i["total"]["amount"] for i in ahead] == ["205.00", "306.00", "80.00"]
    assert ahead[1]["lines"][0]["description"] == (
        "Volume · event 2 of the period · 550 USD (early-1)"
    )
    assert await invoices(gql, "IN_ADVANCE", late) == []
    assert await usage(gql, late) == {"volume": "591.00"}  # 1,000 × 1 % + 200 + 4,050 × 2 % + 300

    [closing] = await close_period(gql, runtime, database_url, jobs, clock, late)
    assert amounts(closing) == ["591.00"]
    assert closing["lines"][0]["description"] == (
        "Volume · 5,050 USD · 1% of 1,000 + 200 + 2% of 4,050 + 300"
    )
    assert await invoices(gql, "PERIOD_END", early) == []  # billed as the events came


async def test_pay_in_advance_prices_each_event_at_its_position(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await create_metric(gql, "calls", singular="call", plural="calls")
    await create_plan(
        gql,
        code="instant",
        name="Instant",
        moneyCharges=[
            {"metricCode": "calls", "unitPrice": "2.00", "freeUnits": "2", "payInAdvance": True}
        ],
        thresholds=[{"amount": "1.00"}],
    )
    await customer_with_method(gql, "acme", None)
    await customer_with_method(gql, "busy", None)
    subscription_id = await subscribe(gql, "acme", "instant")
    crowded = await subscribe(gql, "busy", "instant")

    # Three events in the same second, one batch: 0, 0, 2.00.
    await send("http", gql, http, calls("a", 3))
    await settle_all(database_url, jobs, clock)
    [first] = await invoices(gql, "IN_ADVANCE", subscription_id)
    assert amounts(first) == ["0.00", "0.00", "2.00"]
    assert [line["description"] for line in first["lines"]] == [
        f"Calls · event {n} of the period · 1 call (a-{n - 1})" for n in (1, 2, 3)
    ]
    assert first["total"]["amount"] == "2.00"
    await send("http", gql, http, calls("b", 1))
    await settle_all(database_url, jobs, clock)
    assert [i["total"]["amount"] for i in await invoices(gql, "IN_ADVANCE", subscription_id)] == [
        "2.00",
        "2.00",
    ]

    # Ten concurrent batches of two events for one subscription: the two free events are
    # priced once in all, whatever order the batches commit in — 18 × 2.00, in at most 9
    # invoices: one per ingest transaction (concurrent small requests may share one, see
    # app.flows.group_commit), and the batch holding the free events costs nothing and makes none.
    batches = [calls(f"c{n}", 2, "busy") for n in range(10)]
    await asyncio.gather(*(send("http", gql, http, b) for b in batches))
    await settle_all(database_url, jobs, clock)
    issued = await invoices(gql, "IN_ADVANCE", crowded)
    lines = [line for invoice in issued for line in invoice["lines"]]
    assert 1 <= len(issued) <= 9
    assert sum(Decimal(i["total"]["amount"]) for i in issued) == Decimal("36.00")
    assert {line["amount"]["amount"] for line in lines} == {"2.00"}
    positions = sorted(int(line["description"].split("event ")[1].split(" ")[0]) for line in lines)
    assert positions == list(range(3, 21))

    # In-advance usage is billed once: no threshold invoice, nothing at the period end.
    assert await invoices(gql, "THRESHOLD") == []
    assert await close_period(gql, runtime, database_url, jobs, clock, subscription_id) == []


def _charge(**charge: Any) -> dict[str, Any]:
    return {"moneyCharges": [{"metricCode": "calls", "unitPrice": "1"}, {**charge}]}


def _tiers(*tiers: dict[str, Any], model: str = "GRADUATED") -> dict[str, Any]:
    return _charge(metricCode="gb", model=model, tiers=list(tiers))


AT = "moneyCharges[1]"
BAD = [
    (
        _tiers(
            {"upTo": "10", "unitPrice": "1"},
            {"upTo": "20", "unitPrice": "1"},
            {"from": "15", "unitPrice": "1"},
        ),
        f"{AT}.tiers[2].from",
        "overlapping_tiers",
    ),
    (
        _tiers({"upTo": "10", "unitPrice": "1"}, {"from": "11", "unitPrice": "1"}),
        f"{AT}.tiers[1].from",
        "gapped_tiers",
    ),
    (_tiers({"from": "1", "unitPrice": "1"}), f"{AT}.tiers[0].from", "gapped_tiers"),
    (_charge(metricCode="gb", unitPrice="1", freeUnits="-1"), f"{AT}.freeUnits", "negative"),
    (
        _charge(metricCode="gb", model="PERCENTAGE", percentage="1", freeEvents=-1),
        f"{AT}.freeEvents",
        "negative",
    ),
    (
        _charge(
            metricCode="gb",
            model="PERCENTAGE",
            percentage="1",
            minPerTransaction="5",
            maxPerTransaction="1",
        ),
        f"{AT}.maxPerTransaction",
        "min_above_max",
    ),
    (
        _charge(metricCode="gb", model="PERCENTAGE", percentage="100.5"),
        f"{AT}.percentage",
        "invalid_percentage",
    ),
    (
        _tiers({"upTo": "10", "rate": "101"}, {"rate": "1"}, model="GRADUATED_PERCENTAGE"),
        f"{AT}.tiers[0].rate",
        "invalid_percentage",
    ),
    (
        _tiers({"upTo": "10", "unitPrice": "1"}, {"rate": "1"}, model="GRADUATED_PERCENTAGE"),
        f"{AT}.tiers[0].unitPrice",
        "invalid",
    ),
    (
        _tiers({"upTo": "10", "unitPrice": "1"}, {"unitPrice": "1"}, model="VOLUME")
        | {
            "moneyCharges": [
                {"metricCode": "calls", "unitPrice": "1"},
                {
                    "metricCode": "gb",
                    "model": "VOLUME",
                    "payInAdvance": True,
                    "tiers": [{"upTo": "10", "unitPrice": "1"}, {"unitPrice": "1"}],
                },
            ]
        },
        f"{AT}.payInAdvance",
        "invalid",
    ),
    (
        _charge(metricCode="gb", model="GRADUATED", freeUnits="1", tiers=[{"unitPrice": "1"}]),
        f"{AT}.freeUnits",
        "invalid",
    ),
    (
        {"charges": [{"metricCode": "gb", "creditPrice": "1", "freeUnits": "-2"}]},
        "charges[0].freeUnits",
        "negative",
    ),
]


@pytest.mark.parametrize(("plan", "field", "code"), BAD)
async def test_bad_charge_models_are_refused_naming_the_field(
    gql: GraphQLClient, runtime: Runtime, plan: dict[str, Any], field: str, code: str
) -> None:
    await create_metric(gql, "gb", "SUM", prop="gb")
    await create_metric(gql, "calls")
    answer = await gql(
        CREATE_PLAN,
        input={"code": "bad", "name": "Bad", "currency": "USD", "interval": "MONTHLY", **plan},
    )
    error = answer["createPlan"]
    assert error["__typename"] == "ValidationError", error
    assert (error["field"], error["code"]) == (field, code), error
    for table in ("plans", "charges", "charge_tiers"):
        assert await count_rows(runtime.db, table) == 0
