"""Faults in scaled mode, on real processes: `tally serve`, `tally worker`, `tally scheduler`
and a private `redis-server`, with short job timeouts.

During ingest, top-ups, auto-recharges and spend alerts: Redis is killed and restarted empty,
then the worker is killed (SIGKILL) in the middle of a charge — and with it the outbox relay it
runs, in whatever drain it was (a relay crashing mid-drain is also tested step by step in
``tests/workers/test_job_lifecycle.py``); a new worker takes over. Afterwards every job ran
once in effect: each payment charged once (the sandbox's own list of charges), every balance
exact, every alert announced, no job left open or dead, and the auto-recharge rules still start
recharges.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.runtime import Runtime
from tests.conftest import GraphQLClient, mint_key
from tests.core.support import check_wallet
from tests.faults.processes import Server, TallyProcess
from tests.metering.support import create_metric, create_plan, subscribe
from tests.payments.support import add_method, rows, set_rule, top_up
from tests.redis_server import RedisServer

pytestmark = pytest.mark.timeout(240)

JOB_TIMEOUT = 4  # seconds: every kind's lease in this test
CUSTOMERS = ("c0", "c1", "c2", "c3")  # c3 pays with pm_sandbox_slow (2 s per charge)


@pytest.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def _environment(database_url: str, redis_url: str, workdir: Path) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "TALLY_SECRET_KEY": "fault-test-secret-0123456789abcdef",
        "TALLY_DATA_DIR": str(workdir),
        "TALLY_JOB_TIMEOUT_SECONDS": str(JOB_TIMEOUT),
        "TALLY_JOB_TIMEOUTS": "{}",
        "TALLY_OUTBOX_POLL_SECONDS": "0.5",
        "TALLY_SANDBOX_SLOW_SECONDS": "2",
        "TALLY_SANDBOX_LEDGER": str(workdir / "sandbox-charges.jsonl"),
    }


async def eventually(check: Callable[[], Awaitable[bool]], what: str, within: float) -> None:
    """Wait (bounded) until ``check`` holds; the bound is a deadline, not a measurement."""
    for _ in range(int(within * 5)):
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {within} s: {what}")


async def _scalar(runtime: Runtime, sql: str, **params: Any) -> Any:
    return (await rows(runtime.db, sql, **params))[0][0]


async def _setup(gql: GraphQLClient) -> dict[str, str]:
    await create_metric(gql, "api_call", singular="API call", plural="API calls")
    await create_plan(gql, "starter", [{"metricCode": "api_call", "creditPrice": "1"}])
    wallets: dict[str, str] = {}
    for name in CUSTOMERS:
        created = await gql(
            """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
                 ... on CustomerPayload { wallet { id } } } }""",
            input={
                "externalId": name,
                "name": name.upper(),
                "currency": "USD",
                "billingEmail": f"billing@{name}.test",
                "wallet": {"rate": "0.01"},
            },
        )
        wallet_id = created["createCustomer"]["wallet"]["id"]
        wallets[name] = wallet_id
        method = "pm_sandbox_slow" if name == "c3" else "pm_sandbox_ok"
        assert (await add_method(gql, name, method))["__typename"] == "PaymentMethodPayload"
        await subscribe(gql, name, "starter")
        granted = await gql(
            """mutation($input: GrantCreditsInput!) { grantCredits(input: $input) {
                 __typename } }""",
            input={"walletId": wallet_id, "amount": "2000", "idempotencyKey": f"g-{name}"},
        )
        assert granted["grantCredits"]["__typename"] == "LedgerEntryPayload", granted
        rule = await set_rule(
            gql,
            int(wallet_id),
            trigger="THRESHOLD",
            method="FIXED",
            threshold="1000",
            credits="5000",
            cooldownSeconds=0,
        )
        assert rule["__typename"] == "AutoRechargeRulePayload", rule
    return wallets


async def _ingest(http: httpx.AsyncClient, key: str, name: str, tag: str, count: int) -> None:
    """``count`` api_call events (1 credit each) in batches of 100."""
    for start in range(0, count, 100):
        events = [
            {
                "transaction_id": f"{tag}-{name}-{n}",
                "customer_external_id": name,
                "metric_code": "api_call",
            }
            for n in range(start, min(count, start + 100))
        ]
        answer = await http.post(
            "/v1/events", json={"events": events}, headers={"authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["accepted"] == len(events), answer.text


async def _top_up(gql: GraphQLClient, wallet_id: str, key: str) -> None:
    started = await top_up(gql, int(wallet_id), key, credits="500")
    assert started["__typename"] == "RechargePayload", started


def _charges(ledger: Path) -> list[dict[str, Any]]:
    if not ledger.exists():
        return []
    return [json.loads(line) for line in ledger.read_text().splitlines() if line]


async def test_redis_restarted_empty_a_worker_killed_mid_charge_and_a_relay_crash(
    database_url: str, runtime: Runtime, redis_server: RedisServer, tmp_path: Path
) -> None:
    env = _environment(database_url, redis_server.url, tmp_path)
    api = Server("serve", env, tmp_path)
    worker = TallyProcess("worker-1", ["worker", "--threads", "4"], env, tmp_path)
    scheduler = TallyProcess("scheduler", ["scheduler"], env, tmp_path)
    processes: list[TallyProcess] = [api, worker, scheduler]
    http = httpx.AsyncClient(base_url=api.url, timeout=30)
    try:
        await asyncio.gather(
            api.ready(),
            worker.printed("Worker running"),
            scheduler.printed("Scheduler running"),
        )
        key = await mint_key(runtime, ["admin"])
        gql = GraphQLClient(http, key)
        wallets = await _setup(gql)

        # Round 1: each wallet falls from 2,000 to 800 (auto-recharge, alerts); top-ups.
        await asyncio.gather(*(_ingest(http, key, name, "r1", 1200) for name in CUSTOMERS))
        await asyncio.gather(*(_top_up(gql, wallets[n], f"t1-{n}") for n in CUSTOMERS[:3]))

        # Redis dies with whatever it held; the API keeps committing, /ready says degraded.
        redis_server.kill()
        await asyncio.gather(*(_top_up(gql, wallets[n], f"t2-{n}") for n in CUSTOMERS[:3]))
        ready = await http.get("/ready")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded", ready.text
        assert ready.json()["broker"].startswith("unreachable")
        metrics = (await http.get("/metrics")).text
        assert 'tally_jobs_pending{kind="payments.charge"}' in metrics
        redis_server.start()  # empty

        # Round 2: more usage; c3's top-up is charged slowly: kill the worker in the middle
        # (its relay dies with it).
        await asyncio.gather(*(_ingest(http, key, name, "r2", 1000) for name in CUSTOMERS))
        await _top_up(gql, wallets["c3"], "t2-c3")

        async def charging() -> bool:
            found = await _scalar(
                runtime,
                "SELECT count(*) FROM payments p JOIN recharges r ON r.invoice_id = p.invoice_id"
                " WHERE r.wallet_id = :w AND r.trigger = 'manual' AND p.status = 'processing'",
                w=int(wallets["c3"]),
            )
            return bool(found)

        await eventually(charging, "c3's top-up is being charged", within=30)
        worker.kill()
        replacement = TallyProcess("worker-2", ["worker"], env, tmp_path)
        processes.append(replacement)
        await replacement.printed("Worker running")

        async def quiet() -> bool:
            open_jobs = await _scalar(
                runtime, "SELECT count(*) FROM outbox WHERE state NOT IN ('done', 'dead')"
            )
            pending = await _scalar(
                runtime, "SELECT count(*) FROM recharges WHERE status = 'pending'"
            )
            return bool(open_jobs == 0 and pending == 0)

        # Every lost or abandoned job is handed on within a few leases.
        await eventually(quiet, "every job done and every recharge settled", within=60)
        await _check_every_job_ran_once(runtime, wallets, tmp_path / "sandbox-charges.jsonl")

        # No rule is wedged: c0 falls below its threshold again and is recharged again.
        await _ingest(http, key, "c0", "r3", 4900)  # 5,800 → 900

        async def recharged_again() -> bool:
            done = await _scalar(
                runtime,
                "SELECT count(*) FROM recharges WHERE wallet_id = :w AND trigger = 'threshold'"
                " AND status = 'succeeded'",
                w=int(wallets["c0"]),
            )
            return bool(done == 2)

        await eventually(recharged_again, "c0's second auto-recharge", within=30)
        figures = await check_wallet(runtime.db, int(wallets["c0"]))
        assert figures.balance == Decimal(5900)
    finally:
        await http.aclose()
        for process in processes:
            process.stop()


async def _check_every_job_ran_once(
    runtime: Runtime, wallets: dict[str, str], ledger: Path
) -> None:
    assert await _scalar(runtime, "SELECT count(*) FROM outbox WHERE state = 'dead'") == 0
    # Balances exact: 2,000 granted − 2,200 used + 5,000 (auto) + 500 per top-up.
    top_ups = {"c0": 2, "c1": 2, "c2": 2, "c3": 1}
    for name, wallet_id in wallets.items():
        figures = await check_wallet(runtime.db, int(wallet_id))
        assert figures.balance == Decimal(2000 - 2200 + 5000 + 500 * top_ups[name]), name
        found = await rows(
            runtime.db,
            "SELECT trigger, status FROM recharges WHERE wallet_id = :w ORDER BY id",
            w=int(wallet_id),
        )
        assert sorted(tuple(r) for r in found) == sorted(
            [("threshold", "succeeded")] + [("manual", "succeeded")] * top_ups[name]
        ), name
    # Charged once: one payment per invoice, one charge (by idempotency key) per payment.
    payments = await rows(runtime.db, "SELECT id, status, amount_minor, invoice_id FROM payments")
    assert len(payments) == 4 + 7
    assert {p[1] for p in payments} == {"succeeded"}
    assert len({p[3] for p in payments}) == len(payments)
    charges = _charges(ledger)
    charged = {c["key"]: c["amount_minor"] for c in charges}
    assert charged == {f"tally-payment-{p[0]}": p[2] for p in payments}
    assert len(charges) > len(charged)  # the killed worker's charge was asked for twice
    # Alerts: each wallet crossed its levels, and every firing was announced once.
    firings = await rows(runtime.db, "SELECT wallet_id, notified_at FROM alert_firings")
    assert {f[0] for f in firings} == {int(w) for w in wallets.values()}
    assert all(f[1] is not None for f in firings)
    announced = await _scalar(
        runtime, "SELECT count(*) FROM webhook_events WHERE type = 'alert.triggered'"
    )
    assert announced == len(firings)
