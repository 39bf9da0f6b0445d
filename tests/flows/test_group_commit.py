"""Group commit: concurrent small requests share one transaction, and each still gets exactly
its own answer. First the queue alone (a store that records what it was given), then
concurrent single-event requests through ``POST /v1/events`` on a real database."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.db.engine import Database
from app.db.retry import Busy
from app.flows.group_commit import GroupCommit
from app.metering import REST_FIELDS, EventResult, Outcome, Source, Status, WalletBalance
from tests.conftest import GraphQLClient
from tests.metering.support import (
    assert_invariant,
    create_customer,
    create_metric,
    create_plan,
    grant,
    post_events,
    subscribe,
    wallet,
)

SOURCE = Source("http", 1, REST_FIELDS)


class Recording:
    """A store that answers every event "accepted", charged to the wallet named by the event,
    and raises for the events it is told to."""

    def __init__(self, failing: Exception | None = None) -> None:
        self.batches: list[list[Any]] = []
        self.failing = failing
        self.gate = asyncio.Event()
        self.gate.set()

    async def __call__(self, events: Sequence[object], source: Source) -> Outcome:
        self.batches.append(list(events))
        await self.gate.wait()
        if self.failing is not None and any(e == "bad" for e in events):
            raise self.failing
        results = [EventResult(n, str(e), Status.ACCEPTED) for n, e in enumerate(events)]
        ids = [int(str(e)[1:]) for e in events]
        wallets = [WalletBalance(w, f"c{w}", "USD", Decimal(w)) for w in sorted(set(ids))]
        charged: list[int | None] = list(ids)
        return Outcome(results, wallets, charged)


async def test_waiting_requests_share_one_batch_and_each_gets_its_own_results() -> None:
    store = Recording()
    groups = GroupCommit(store, lanes=1)
    requests = [["w1"], ["w2", "w3"], ["w1"], ["w4"]]
    outcomes = await asyncio.gather(*(groups.submit(r, SOURCE) for r in requests))
    assert store.batches == [["w1", "w2", "w3", "w1", "w4"]]
    for sent, outcome in zip(requests, outcomes, strict=True):
        assert [(r.position, r.transaction_id) for r in outcome.results] == list(enumerate(sent))
        assert [w.wallet_id for w in outcome.wallets] == sorted({int(e[1:]) for e in sent})


async def test_a_request_arriving_during_a_transaction_joins_the_next_group() -> None:
    store = Recording()
    store.gate.clear()
    groups = GroupCommit(store, lanes=1)
    first = asyncio.create_task(groups.submit(["w1"], SOURCE))
    await asyncio.sleep(0.01)  # the lane took it and waits in its "transaction"
    later = [asyncio.create_task(groups.submit([f"w{n}"], SOURCE)) for n in (2, 3)]
    await asyncio.sleep(0.01)
    store.gate.set()
    await asyncio.gather(first, *later)
    assert store.batches == [["w1"], ["w2", "w3"]]


async def test_sources_and_sizes_do_not_mix() -> None:
    store = Recording()
    groups = GroupCommit(store, lanes=1, limit=3)
    other = Source("http", 2, REST_FIELDS)
    await asyncio.gather(
        groups.submit(["w1", "w1"], SOURCE),
        groups.submit(["w2"], other),
        groups.submit(["w3", "w3"], SOURCE),
        groups.submit(["w4"], SOURCE),
    )
    assert store.batches == [["w1", "w1", "w4"], ["w2"], ["w3", "w3"]]


async def test_a_failing_group_is_stored_again_request_by_request() -> None:
    store = Recording(failing=ValueError("boom"))
    groups = GroupCommit(store, lanes=1)
    good, bad, also = await asyncio.gather(
        groups.submit(["w1"], SOURCE),
        groups.submit(["bad"], SOURCE),
        groups.submit(["w2"], SOURCE),
        return_exceptions=True,
    )
    assert isinstance(bad, ValueError)
    assert isinstance(good, Outcome) and good.results[0].transaction_id == "w1"
    assert isinstance(also, Outcome) and also.results[0].transaction_id == "w2"
    assert store.batches == [["w1", "bad", "w2"], ["w1"], ["bad"], ["w2"]]


async def test_busy_answers_every_request_of_the_group_and_stores_nothing_again() -> None:
    store = Recording(failing=Busy())
    groups = GroupCommit(store, lanes=1)
    answers = await asyncio.gather(
        groups.submit(["w1"], SOURCE), groups.submit(["bad"], SOURCE), return_exceptions=True
    )
    assert all(isinstance(a, Busy) for a in answers)
    assert store.batches == [["w1", "bad"]]


async def test_a_client_gone_before_its_group_is_not_stored_one_gone_during_it_is() -> None:
    store = Recording()
    store.gate.clear()
    groups = GroupCommit(store, lanes=1)
    first = asyncio.create_task(groups.submit(["w1"], SOURCE))
    during = asyncio.create_task(groups.submit(["w5"], SOURCE))
    await asyncio.sleep(0.01)  # w1 and w5 are in the lane's transaction
    gone = asyncio.create_task(groups.submit(["w2"], SOURCE))
    stays = asyncio.create_task(groups.submit(["w3"], SOURCE))
    await asyncio.sleep(0.01)
    gone.cancel()
    during.cancel()
    store.gate.set()
    assert (await first).results[0].transaction_id == "w1"
    assert (await stays).results[0].transaction_id == "w3"
    for cancelled in (gone, during):
        with pytest.raises(asyncio.CancelledError):
            await cancelled
    assert store.batches == [["w1", "w5"], ["w3"]]


# Through POST /v1/events, on the database.

PRICES = {"api_call": Decimal(1), "report_generated": Decimal("2.5")}
CUSTOMERS = ["c0", "c1", "c2"]


async def _setup(gql: GraphQLClient, credits: str = "1000") -> dict[str, str]:
    for metric in PRICES:
        await create_metric(gql, metric)
    charges = [{"metricCode": m, "creditPrice": str(p)} for m, p in PRICES.items()]
    await create_plan(gql, "p", charges)
    wallets = {}
    for customer in CUSTOMERS:
        wallets[customer] = await create_customer(gql, customer)
        await grant(gql, wallets[customer], credits, f"g-{customer}")
        await subscribe(gql, customer, "p")
    return wallets


def _event(n: int, customer: str, metric: str = "api_call") -> dict[str, Any]:
    return {"transaction_id": f"t{n}", "customer_external_id": customer, "metric_code": metric}


async def _scalar(db: Database, sql: str) -> Any:
    async with db.engine.connect() as connection:
        return await connection.scalar(text(sql))


async def test_concurrent_single_events_each_get_their_exact_result(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    wallets = await _setup(gql)
    assert gql.key is not None
    events = [
        _event(n, CUSTOMERS[n % 3], "report_generated" if n % 7 == 0 else "api_call")
        for n in range(60)
    ]
    events[10] = {**events[10], "metric_code": "nope"}  # a bad event among good ones
    events[20] = {**events[19]}  # the same transaction id twice, at once
    live_before = await _scalar(db, "SELECT count(*) FROM outbox WHERE kind = 'live'")
    responses = await asyncio.gather(*(post_events(http, gql.key, {"events": [e]}) for e in events))

    bodies = [r.json() for r in responses]
    assert all(r.status_code == 200 for r in responses)
    for sent, body in zip(events, bodies, strict=True):
        [result] = body["results"]
        assert result["index"] == 0 and result["transaction_id"] == sent["transaction_id"]
    assert bodies[10]["results"][0]["status"] == "rejected"
    assert bodies[10]["results"][0]["error"]["field"] == "metric_code"
    assert bodies[10]["wallets"] == []
    pair = sorted(bodies[n]["results"][0]["status"] for n in (19, 20))
    assert pair == ["accepted", "duplicate"]
    stored = [e for n, e in enumerate(events) if n not in (10, 20)]
    assert sum(b["accepted"] for b in bodies) == len(stored)

    expected = {c: Decimal(1000) for c in CUSTOMERS}
    for event in stored:
        expected[event["customer_external_id"]] -= PRICES[event["metric_code"]]
    for customer, wallet_id in wallets.items():
        assert Decimal((await wallet(gql, wallet_id))["balance"]) == expected[customer]
    for sent, body in zip(events, bodies, strict=True):
        if body["results"][0]["status"] != "accepted":
            continue
        [balance] = body["wallets"]  # the wallet its event was charged to, and only that one
        customer = sent["customer_external_id"]
        assert balance["wallet_id"] == wallets[customer]
        assert balance["customer_external_id"] == customer
        # the balance right after the commit that stored the event: the event and all before
        assert expected[customer] <= Decimal(balance["balance"]) <= 1000 - PRICES["api_call"]

    assert await _scalar(db, "SELECT count(*) FROM events") == len(stored)
    transactions = await _scalar(db, "SELECT count(DISTINCT batch_id) FROM events")
    assert transactions < len(stored)  # requests shared transactions
    # one live message row per transaction that changed balances: reactions ran once each
    live = await _scalar(db, "SELECT count(*) FROM outbox WHERE kind = 'live'")
    assert live - live_before == transactions
    await assert_invariant(db)


async def test_a_crossing_in_a_shared_transaction_fires_each_alert_once(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    await _setup(gql, credits="100")
    assert gql.key is not None
    events = [_event(n, "c0") for n in range(110)]  # 100 → −10: every level crossed
    responses = await asyncio.gather(*(post_events(http, gql.key, {"events": [e]}) for e in events))
    assert all(r.json()["accepted"] == 1 for r in responses)
    async with db.engine.connect() as connection:
        fired = (
            await connection.execute(text("SELECT level, count(*) FROM alert_firings GROUP BY 1"))
        ).all()
    assert len(fired) >= 3 and all(count == 1 for _, count in fired), fired
    await assert_invariant(db)


async def test_a_client_that_goes_away_loses_and_doubles_nobody_s_events(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    wallets = await _setup(gql)
    assert gql.key is not None
    key = gql.key
    events = [_event(n, CUSTOMERS[n % 3]) for n in range(30)]
    tasks = [asyncio.create_task(post_events(http, key, {"events": [e]})) for e in events]
    for _ in range(3):
        await asyncio.sleep(0)
    tasks[7].cancel()  # its client disconnects while its event waits or is being stored
    tasks[15].cancel()
    answers = await asyncio.gather(*tasks, return_exceptions=True)
    for n, answer in enumerate(answers):
        if n in (7, 15):
            continue
        assert isinstance(answer, httpx.Response) and answer.json()["accepted"] == 1
    for n in (7, 15):  # the client sends it again: stored once, whatever happened before
        again = (await post_events(http, key, {"events": [events[n]]})).json()
        assert again["results"][0]["status"] in ("accepted", "duplicate")
    assert await _scalar(db, "SELECT count(*) FROM events") == len(events)
    for n, customer in enumerate(CUSTOMERS):
        charged = sum(1 for e in events if e["customer_external_id"] == customer)
        balance = Decimal((await wallet(gql, wallets[customer]))["balance"])
        assert balance == 1000 - charged, (n, customer)
    await assert_invariant(db)
