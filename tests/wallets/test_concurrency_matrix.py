"""Every money use case at once on one wallet, round after round, through the public API with
real concurrency (each request on its own connection, the job system on its own threads and
engine): zero errors and exact books.

A round runs, together: two top-ups (top-up × top-up), a grant that expires in the next round,
an event batch that debits credits and crosses a money threshold, a void, the expiry sweep,
and every other round the subscription's termination; meanwhile the jobs of the round before
run — the top-ups' payments, the auto-recharge the balance started (its rule is always due),
the threshold invoice (paid with credits), alerts and emails. After the rounds, the books are
checked against what the API answered:

* the ledger invariant ``balance = Σ ledger = Σ remaining grants − debt``, and each grant's
  own: its amount = what remains + what debits drew from it + what expired;
* the balance = what the answers say went in and out (grants, top-ups and auto-recharges
  once each, voids, debited events, invoices paid with credits) and what expired;
* each purchase invoiced once and charged once; each subscription's usage invoiced exactly
  (threshold invoices plus the final one = its usage), never twice;
* no "Unexpected error.", no typed error, no job failure, no ERROR log — and no deadlock
  or serialization failure at all (each would be retried, and logged): the lock order held.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

import asyncpg
import httpx
import pytest

from app.clock import FrozenClock
from app.db.engine import plain_url
from app.outbox.relay import Relay
from app.runtime import Runtime
from tests.billing.support import SET_PAYMENT, create_plan
from tests.billing.test_termination import TERMINATE
from tests.conftest import GraphQLClient, mint_key
from tests.core.support import GRANT, VOID, check_wallet
from tests.metering.support import create_metric, post_events, subscribe
from tests.payments.support import TOP_UP, customer_with_method, rows, set_rule, settle_all
from workers import wallets as wallet_jobs
from workers.system import JobSystem

ROUNDS = 48
SEED = Decimal(1_000_000)
TOP_UP_CREDITS, GRANTED, VOIDED, RECHARGED = Decimal(100), Decimal(10), Decimal(3), Decimal(50)
CALLS, GB = 5, 5  # events per batch: 5 credits, 5.00 USD (one threshold of 5.00 crossed)


@dataclass
class Tally:
    """What the answers said went in and out, and which use cases ran together."""

    granted: Decimal = Decimal(0)
    voided: Decimal = Decimal(0)
    debited: Decimal = Decimal(0)
    top_ups: list[str] = field(default_factory=list)
    pairs: int = 0
    kinds: set[tuple[str, str]] = field(default_factory=set)

    def ran_together(self, kinds: list[str]) -> None:
        for pair in itertools.combinations(kinds, 2):
            self.pairs += 1
            self.kinds.add(tuple(sorted(pair)))  # type: ignore[arg-type]


@dataclass
class Matrix:
    gql: GraphQLClient
    http: httpx.AsyncClient
    runtime: Runtime
    jobs: JobSystem
    database_url: str
    ingest_key: str
    wallet_id: int
    subscription_id: str = ""
    tally: Tally = field(default_factory=Tally)

    @property
    def now(self) -> Any:
        return self.runtime.clock.now()

    async def mutation(self, query: str, name: str, **variables: Any) -> dict[str, Any]:
        data = await self.gql(query, **variables)  # no "errors": asserted by the client
        payload: dict[str, Any] = data[name]
        assert "code" not in payload, payload  # no typed error either
        return payload

    async def top_up(self, key: str) -> None:
        found = await self.mutation(
            TOP_UP,
            "topUp",
            input={
                "walletId": str(self.wallet_id),
                "idempotencyKey": key,
                "credits": str(TOP_UP_CREDITS),
            },
        )
        self.tally.top_ups.append(found["recharge"]["id"])

    async def grant(self, key: str) -> None:
        expires = (self.now + timedelta(seconds=1)).isoformat()
        await self.mutation(
            GRANT,
            "grantCredits",
            input={
                "walletId": str(self.wallet_id),
                "amount": str(GRANTED),
                "idempotencyKey": key,
                "expiresAt": expires,
            },
        )
        self.tally.granted += GRANTED

    async def void(self, key: str) -> None:
        await self.mutation(
            VOID,
            "voidCredits",
            input={
                "walletId": str(self.wallet_id),
                "amount": str(VOIDED),
                "idempotencyKey": key,
                "reason": "matrix",
            },
        )
        self.tally.voided += VOIDED

    async def events(self, prefix: str) -> None:
        calls: list[dict[str, Any]] = [{"metric_code": "call"} for _ in range(CALLS)]
        gigabytes = [{"metric_code": "gb", "properties": {"gb": 1}} for _ in range(GB)]
        batch = [
            {"transaction_id": f"{prefix}-{n}", "customer_external_id": "acme", **event}
            for n, event in enumerate(calls + gigabytes)
        ]
        response = await post_events(self.http, self.ingest_key, {"events": batch})
        assert response.status_code == 200, response.text
        body = response.json()
        if body["wallets"]:  # priced: the subscription was live when the batch read it
            assert body["accepted"] == CALLS + GB, body
            self.tally.debited += CALLS
        else:  # after a termination: no live subscription, nothing priced, nothing lost
            assert body["rejected"] == 0 and body["accepted"] == CALLS + GB, body

    async def expiry_sweep(self) -> None:
        await wallet_jobs.expire_due(self.runtime)  # the scheduler's job, as it runs it

    async def terminate(self) -> None:
        found = await self.mutation(TERMINATE, "terminateSubscription", id=self.subscription_id)
        assert found["subscription"]["status"] == "TERMINATED"

    async def subscribe(self) -> None:
        self.subscription_id = await subscribe(self.gql, "acme", "matrix")
        chosen = await self.mutation(
            SET_PAYMENT,
            "setSubscriptionPayment",
            input={"subscriptionId": self.subscription_id, "payWithCredits": True},
        )
        assert chosen["subscription"]["payWithCredits"] is True

    async def run_jobs(self) -> None:
        """Hand the committed outbox rows to the job system and wait for the jobs (threads)."""
        connection = await asyncpg.connect(plain_url(self.database_url))
        try:
            relay = Relay(plain_url(self.database_url), self.jobs.dispatch, self.runtime.clock)
            await relay.drain(connection)
        finally:
            await connection.close()
        await asyncio.to_thread(self.jobs.join)

    async def round(self, number: int, terminating: bool) -> None:
        work = {
            "top-up": self.top_up(f"t{number}a"),
            "top-up 2": self.top_up(f"t{number}b"),
            "grant": self.grant(f"g{number}"),
            "debit (events)": self.events(f"e{number}"),
            "void": self.void(f"v{number}"),
            "expiry": self.expiry_sweep(),
            "jobs (payments, auto-recharge, threshold invoice)": self.run_jobs(),
        }
        if terminating:
            work["termination"] = self.terminate()
        await asyncio.gather(*work.values())
        self.tally.ran_together(list(work))


@pytest.fixture
async def matrix(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> Matrix:
    await create_metric(gql, "call", singular="call", plural="calls")
    await create_metric(gql, "gb", "SUM", singular="GB", plural="GB", prop="gb")
    await create_plan(
        gql,
        code="matrix",
        name="Matrix",
        charges=[{"metricCode": "call", "creditPrice": "1"}],
        moneyCharges=[{"metricCode": "gb", "unitPrice": "1.00"}],
        thresholds=[{"amount": "5.00", "recurring": True}],
    )
    wallet_id = await customer_with_method(gql, "acme")
    seeded = await gql(
        GRANT,
        input={
            "walletId": str(wallet_id),
            "amount": str(SEED),
            "idempotencyKey": "seed",
            "kind": "PAID",
        },
    )
    assert seeded["grantCredits"]["__typename"] == "LedgerEntryPayload"
    # Due once a round: the balance stays far below the threshold, and the cooldown (1 s) is
    # shorter than a round (the clock moves 2 s).
    rule = await set_rule(
        gql,
        wallet_id,
        trigger="THRESHOLD",
        method="FIXED",
        credits=str(RECHARGED),
        threshold="100000000",
        cooldownSeconds=1,
    )
    assert rule["__typename"] == "AutoRechargeRulePayload", rule
    found = Matrix(
        gql, http, runtime, jobs, database_url, await mint_key(runtime, ["ingest"]), wallet_id
    )
    await found.subscribe()
    await settle_all(database_url, jobs, clock)
    return found


async def test_every_money_use_case_at_once_on_one_wallet(
    matrix: Matrix, runtime: Runtime, clock: FrozenClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for number in range(ROUNDS):
        clock.advance(timedelta(seconds=2))  # the last round's grant is due now
        terminating = number % 2 == 1
        await matrix.round(number, terminating)
        if terminating:
            await matrix.subscribe()
    clock.advance(timedelta(seconds=2))
    await matrix.expiry_sweep()
    await settle_all(matrix.database_url, matrix.jobs, clock)

    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failures, [r.getMessage() for r in failures]
    undone = [r for r in caplog.records if r.name == "tally.db.retry"]
    assert not undone, [r.getMessage() for r in undone]
    assert matrix.tally.pairs >= 1000, matrix.tally.pairs
    kinds = {kind for pair in matrix.tally.kinds for kind in pair}
    assert len(matrix.tally.kinds) == len(kinds) * (len(kinds) - 1) // 2  # each with each
    await _books_are_exact(matrix, runtime)
    await _each_purchase_charged_once(matrix, runtime)
    await _usage_invoiced_once(runtime)


async def _books_are_exact(matrix: Matrix, runtime: Runtime) -> None:
    figures = await check_wallet(runtime.db, matrix.wallet_id)
    db = runtime.db
    [(bought,)] = await rows(
        db, "SELECT coalesce(sum(credits), 0) FROM recharges WHERE status = 'succeeded'"
    )
    [(paid_with_credits,)] = await rows(
        db, "SELECT coalesce(sum(credits_paid), 0) FROM invoices WHERE credits_paid IS NOT NULL"
    )
    [(expired,)] = await rows(
        db, "SELECT coalesce(sum(credits), 0) FROM ledger_entries WHERE kind = 'expiry'"
    )
    tally = matrix.tally
    expected = (
        SEED + tally.granted + bought - tally.voided - tally.debited - paid_with_credits + expired
    )
    assert figures.balance == expected
    assert figures.debt == 0
    assert expired < 0  # the sweep and the writes expired the grants of past rounds
    # Each grant: amount = remaining + what debits drew from it + what expired of it.
    unbalanced = await rows(
        db,
        "SELECT g.id, g.amount, g.remaining, "
        " (SELECT coalesce(sum(a.credits), 0) FROM ledger_allocations a WHERE a.grant_id = g.id)"
        "   AS drawn, "
        " (SELECT coalesce(-sum(e.credits), 0) FROM ledger_entries e"
        "   WHERE e.grant_id = g.id AND e.kind = 'expiry') AS lapsed "
        "FROM grants g",
    )
    assert [g for g in unbalanced if g.amount != g.remaining + g.drawn + g.lapsed] == []
    assert {g.remaining for g in unbalanced if g.lapsed} == {0}


async def _each_purchase_charged_once(matrix: Matrix, runtime: Runtime) -> None:
    recharges = await rows(
        runtime.db,
        "SELECT r.id, r.trigger, r.status, r.credits, count(p.id) AS payments, "
        " min(p.status) AS payment_status, max(p.attempts) AS attempts, "
        " (SELECT count(*) FROM ledger_entries e WHERE e.kind = 'purchase'"
        "   AND e.cause_id = r.invoice_id::text) AS grants "
        "FROM recharges r LEFT JOIN payments p ON p.invoice_id = r.invoice_id "
        "GROUP BY r.id ORDER BY r.id",
    )
    manual = [r for r in recharges if r.trigger == "manual"]
    assert sorted(str(r.id) for r in manual) == sorted(matrix.tally.top_ups)
    assert len(manual) == 2 * ROUNDS
    automatic = [r for r in recharges if r.trigger == "threshold"]
    assert len(automatic) >= ROUNDS // 2  # the rule was due all along, one in flight at a time
    for recharge in recharges:
        assert (recharge.status, recharge.payments, recharge.grants) == ("succeeded", 1, 1)
        assert (recharge.payment_status, recharge.attempts) == ("succeeded", 1)


async def _usage_invoiced_once(runtime: Runtime) -> None:
    subscriptions = await rows(
        runtime.db,
        "SELECT s.id, s.status, "
        " (SELECT coalesce(sum(b.usage_minor), 0) FROM billing_periods b"
        "   WHERE b.subscription_id = s.id) AS usage, "
        " (SELECT coalesce(sum(i.total_minor), 0) FROM invoices i"
        "   WHERE i.subscription_id = s.id AND i.type IN ('threshold', 'period_end')) AS billed, "
        " (SELECT count(*) FROM invoices i"
        "   WHERE i.subscription_id = s.id AND i.type = 'period_end') AS finals "
        "FROM subscriptions s ORDER BY s.id",
    )
    assert len(subscriptions) == ROUNDS // 2 + 1
    for found in subscriptions:
        assert found.usage == found.billed, found
        assert found.finals == (1 if found.status == "terminated" and found.usage else 0), found
    open_invoices = await rows(
        runtime.db, "SELECT id, type, status FROM invoices WHERE status <> 'paid'"
    )
    assert open_invoices == []
