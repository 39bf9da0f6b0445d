"""Eight clients send overlapping batches (shared transaction ids) to the same wallets at once:
no deadlock, every event charged exactly once, the ledger invariant holds."""

from __future__ import annotations

import asyncio
import random
from decimal import Decimal

import httpx
from sqlalchemy import text

from app.db.engine import Database
from tests.conftest import GraphQLClient
from tests.metering.support import (
    assert_invariant,
    create_customer,
    create_metric,
    create_plan,
    grant,
    ingest,
    subscribe,
    wallet,
)

CUSTOMERS = [f"c{n}" for n in range(6)]
PRICES = {"api_call": Decimal(1), "report_generated": Decimal("2.5")}


async def test_concurrent_overlapping_batches_charge_each_event_once(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    await create_metric(gql, "api_call")
    await create_metric(gql, "report_generated")
    await create_plan(
        gql, "p", [{"metricCode": m, "creditPrice": str(p)} for m, p in PRICES.items()]
    )
    wallets = {}
    for customer in CUSTOMERS:
        wallets[customer] = await create_customer(gql, customer)
        await grant(gql, wallets[customer], "100", f"g-{customer}")  # most will go into debt
        await subscribe(gql, customer, "p")

    rng = random.Random(7)
    universe = [
        {
            "transaction_id": f"t{n}",
            "customer_external_id": rng.choice(CUSTOMERS),
            "metric_code": rng.choice(list(PRICES)),
        }
        for n in range(600)
    ]
    batches = [rng.sample(universe, 250) for _ in range(16)]  # heavy overlap
    surfaces = ["http", "graphql"] * 8

    async def client(n: int) -> list[dict]:
        return [
            await ingest(surfaces[n], gql, http, batch) for batch in (batches[n], batches[n + 8])
        ]

    payloads = [p for group in await asyncio.gather(*(client(n) for n in range(8))) for p in group]

    accepted = [
        r["transactionId"] for p in payloads for r in p["results"] if r["status"] == "ACCEPTED"
    ]
    sent = {e["transaction_id"] for b in batches for e in b}
    assert sorted(accepted) == sorted(sent)  # each sent event accepted exactly once
    expected = {c: Decimal(100) for c in CUSTOMERS}
    for event in universe:
        if event["transaction_id"] in sent:
            expected[event["customer_external_id"]] -= PRICES[event["metric_code"]]
    for customer, wallet_id in wallets.items():
        assert Decimal((await wallet(gql, wallet_id))["balance"]) == expected[customer]
    async with db.engine.connect() as connection:
        stored = await connection.scalar(text("SELECT count(*) FROM events"))
    assert stored == len(sent)
    await assert_invariant(db)
