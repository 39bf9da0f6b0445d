"""Numbers that would not fit: an event's value, its price, its period's total or its wallet's
balance past the limits get a per-event ``too_large`` naming the field; the batch's good
events are kept, nothing overflows, and later batches for the same customer keep working."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.money import CREDITS_LIMIT, QUANTITY_LIMIT
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.metering.support import (
    assert_invariant,
    create_customer,
    create_metric,
    create_plan,
    ingest,
    setup_s1,
    subscribe,
    wallet,
)

CALL = {"customer_external_id": "acme", "metric_code": "api_call"}
SURFACES = ["http", "graphql"]


def call(tid: str) -> dict[str, Any]:
    return {"transaction_id": tid, **CALL}


def units(tid: str, value: object, metric: str = "gb_stored") -> dict[str, Any]:
    return {
        "transaction_id": tid,
        "customer_external_id": "acme",
        "metric_code": metric,
        "properties": {"units": value},
    }


async def setup(gql: GraphQLClient, gb_price: str = "1") -> str:
    """S1 (6,000 credits) with two sums of ``units`` charged ``gb_price`` credits each."""
    wallet_id = await setup_s1(gql)
    await create_metric(gql, "gb_stored", "SUM", "GB", "GB", prop="units")
    await create_metric(gql, "gb_sent", "SUM", "GB", "GB", prop="units")
    await gql(
        """mutation($price: Credits!) { updatePlan(input: {code: "starter", charges: [
            {metricCode: "api_call", creditPrice: "1"},
            {metricCode: "gb_stored", creditPrice: $price},
            {metricCode: "gb_sent", creditPrice: $price}]}) { __typename } }""",
        price=gb_price,
    )
    return wallet_id


def errors(payload: dict[str, Any]) -> list[tuple[str, str] | None]:
    return [
        (r["error"]["field"], r["error"]["code"]) if r["error"] else None
        for r in payload["results"]
    ]


async def events_stored(runtime: Runtime) -> set[str]:
    async with runtime.db.engine.connect() as connection:
        rows = await connection.execute(text("SELECT transaction_id FROM events"))
        return {r[0] for r in rows}


@pytest.mark.parametrize("surface", SURFACES)
async def test_an_event_too_large_is_refused_and_poisons_nothing(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    """999999999999999999 units used to be accepted; every later batch was then a 500."""
    wallet_id = await setup(gql)

    payload = await ingest(
        surface, gql, http, [call("c1"), units("huge", 999999999999999999), call("c2")]
    )

    assert (payload["accepted"], payload["rejected"]) == (2, 1)
    assert errors(payload)[1] == ("properties.units", "too_large")
    later = await ingest(surface, gql, http, [call("c3"), units("fine", 5)])
    assert later["accepted"] == 2
    assert (await wallet(gql, wallet_id))["balance"] == str(6000 - 3 - 5)
    assert await events_stored(runtime) == {"c1", "c2", "c3", "fine"}


@pytest.mark.parametrize("surface", SURFACES)
async def test_an_event_whose_own_price_is_too_large_is_refused(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    wallet_id = await setup(gql, gb_price="100")
    value = CREDITS_LIMIT / 100 + 1  # within the value limit; its price is not

    payload = await ingest(surface, gql, http, [call("c1"), units("pricey", str(value))])

    assert errors(payload) == [None, ("properties.units", "too_large")]
    assert "credits" in payload["results"][1]["error"]["message"]
    assert (await wallet(gql, wallet_id))["balance"] == "5999"


@pytest.mark.parametrize("surface", SURFACES)
async def test_a_period_total_stops_at_its_limit_event_by_event(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    wallet_id = await setup(gql)
    big = QUANTITY_LIMIT * 4 / 10  # three of them pass the period's limit

    first = await ingest(
        surface,
        gql,
        http,
        [
            *(units("g1", str(big)), call("c1"), units("g2", str(big))),
            *(units("g3", str(big)), units("g4", "1"), call("c2")),
        ],
    )

    assert errors(first) == [None, None, None, ("properties.units", "too_large"), None, None]
    assert "period" in first["results"][3]["error"]["message"]
    expected = Decimal(6000) - 2 - 2 * big - 1
    assert Decimal((await wallet(gql, wallet_id))["balance"]) == expected
    again = await ingest(surface, gql, http, [units("g5", str(big)), call("c3")])
    assert errors(again) == [("properties.units", "too_large"), None]
    assert await events_stored(runtime) == {"g1", "g2", "g4", "c1", "c2", "c3"}
    await assert_invariant(runtime.db)


@pytest.mark.parametrize("surface", SURFACES)
async def test_a_balance_stops_at_its_limit(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    """Each period is within its limit; the wallet's debt would not be."""
    wallet_id = await setup(gql)
    big = str(CREDITS_LIMIT * 6 / 10)

    payload = await ingest(
        surface,
        gql,
        http,
        [units("s1", big), units("t1", big, "gb_sent"), call("c1"), units("t2", "1", "gb_sent")],
    )

    assert errors(payload) == [None, ("properties.units", "too_large"), None, None]
    assert "balance" in payload["results"][1]["error"]["message"]
    balance = Decimal((await wallet(gql, wallet_id))["balance"])
    assert balance == Decimal(6000) - Decimal(big) - 2
    assert balance >= -CREDITS_LIMIT
    assert (await ingest(surface, gql, http, [call("c2")]))["accepted"] == 1
    await assert_invariant(runtime.db)


async def money_plan(gql: GraphQLClient) -> None:
    await create_customer(gql, "acme")
    await create_metric(gql, "gb_processed", "SUM", "GB", "GB", prop="units")
    await create_metric(gql, "api_call", singular="API call", plural="API calls")
    await create_plan(gql, "scale", [{"metricCode": "api_call", "creditPrice": "1"}])
    await gql(
        """mutation { updatePlan(input: {code: "scale", moneyCharges: [
            {metricCode: "gb_processed", model: PER_UNIT, unitPrice: "1000"}]}) {
            __typename } }"""
    )
    await subscribe(gql, "acme", "scale")


@pytest.mark.parametrize("surface", SURFACES)
async def test_a_money_priced_period_stops_at_its_limit(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient, runtime: Runtime
) -> None:
    """1,000 USD a unit: 10^10 units are 10^13 USD, the limit of a charge's period."""
    await money_plan(gql)
    events = [units("m1", "6000000000", "gb_processed"), call("c1")]
    events += [units("m2", "6000000000", "gb_processed"), units("m3", "1", "gb_processed")]

    payload = await ingest(surface, gql, http, events)

    assert errors(payload) == [None, None, ("properties.units", "too_large"), None]
    assert "USD" in payload["results"][2]["error"]["message"]
    later = await ingest(surface, gql, http, [units("m4", "2", "gb_processed")])
    assert later["accepted"] == 1
    assert await events_stored(runtime) == {"m1", "c1", "m3", "m4"}
