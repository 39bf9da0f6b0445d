"""No effect without a commit: a mutation that fails after it touched a wallet (its savepoint
rolled back, the operation committed) sets off no balance reaction — no spend alert, email,
webhook, live message or auto-recharge — while the same wallet reacts to a change that commits.

The wallet is primed so that any reaction would show: balance 0 with the "depleted" alert not
fired yet (nothing has moved the balance), a threshold auto-recharge out of its cooldown and
none in flight, and an endpoint listening to ``wallet.updated``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text

from app.clock import FrozenClock
from app.db.engine import Database
from app.runtime import Runtime
from tests.billing.support import gb_events, invoices, scale_plan, send
from tests.billing.test_bad_input import PAY
from tests.conftest import GraphQLClient
from tests.core.support import create_customer, void
from tests.metering.support import subscribe
from tests.payments.support import set_rule, settle_all
from tests.webhooks.support import create_endpoint
from workers.system import JobSystem

EFFECTS = ["outbox", "alert_states", "alert_firings", "recharges", "emails", "webhook_events"]


async def _effects(database: Database) -> dict[str, int]:
    async with database.engine.connect() as connection:
        return {
            table: int((await connection.execute(text(f"SELECT count(*) FROM {table}"))).one()[0])
            for table in EFFECTS
        }


async def _primed(
    gql: GraphQLClient, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> int:
    wallet_id = await create_customer(gql, "acme", email="billing@acme.test")
    await create_endpoint(gql, "https://hooks.acme.test/tally", ["wallet.updated"])
    # Starts a recharge at once (balance 0 ≤ 10); without a payment method it fails, and the
    # rule (no cooldown) is free to start the next one on the next committed change.
    rule = await set_rule(
        gql,
        wallet_id,
        trigger="THRESHOLD",
        method="FIXED",
        credits="100",
        threshold="10",
        cooldownSeconds=0,
    )
    assert rule["__typename"] == "AutoRechargeRulePayload", rule
    await settle_all(database_url, jobs, clock)
    return wallet_id


BOTH = """mutation($g: GrantCreditsInput!, $v: VoidCreditsInput!) {
  g: grantCredits(input: $g) { __typename }
  v: voidCredits(input: $v) { __typename ... on Error { code } }
}"""


def _both(wallet_id: int, grant: str, void: str, key: str) -> dict[str, Any]:
    return {
        "g": {"walletId": str(wallet_id), "amount": grant, "idempotencyKey": f"g-{key}"},
        "v": {
            "walletId": str(wallet_id),
            "amount": void,
            "idempotencyKey": f"v-{key}",
            "reason": "test",
        },
    }


async def test_a_refused_void_sets_off_nothing(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await _primed(gql, database_url, jobs, clock)
    before = await _effects(runtime.db)

    refused = await void(gql, wallet_id, "50", "v1")
    assert (refused["__typename"], refused["code"]) == (
        "InsufficientCreditsError",
        "insufficient_credits",
    )
    await settle_all(database_url, jobs, clock)
    assert await _effects(runtime.db) == before

    # The same wallet reacts to a change that commits: +5 then −5 (both succeed) leave it at
    # 0 below its reference balance of 5: the four alerts (50, 25, 10 %, depleted), one
    # auto-recharge, a live update and a webhook.
    both = await gql(BOTH, **_both(wallet_id, "5", "5", "ok"))
    assert both == {
        "g": {"__typename": "LedgerEntryPayload"},
        "v": {"__typename": "LedgerEntryPayload"},
    }
    after = await _effects(runtime.db)
    assert after["alert_firings"] == before["alert_firings"] + 4
    assert after["recharges"] == before["recharges"] + 1
    assert after["outbox"] > before["outbox"]


async def test_a_committed_mutation_reacts_and_its_failed_neighbour_adds_nothing(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await _primed(gql, database_url, jobs, clock)
    before = await _effects(runtime.db)
    # The grant commits (balance 20: above the recharge threshold, no alert); the void of
    # 50 is refused after it locked and expired the wallet's grants.
    found = await gql(BOTH, **_both(wallet_id, "20", "50", "mixed"))
    assert found["v"] == {"__typename": "InsufficientCreditsError", "code": "insufficient_credits"}
    after = await _effects(runtime.db)
    assert after["alert_firings"] == before["alert_firings"]
    assert after["recharges"] == before["recharges"]
    assert after["alert_states"] == before["alert_states"]
    [messages] = await _live_wallet_messages(runtime.db)
    assert [Decimal(b) for b in messages] == [Decimal(20)]  # one live update: the grant's


async def test_paying_an_invoice_with_too_few_credits_sets_off_nothing(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_plan(gql)
    wallet_id = await _primed(gql, database_url, jobs, clock)
    await subscribe(gql, "acme", "scale")
    await send("http", gql, http, gb_events("a", 120))  # a 58.00 threshold invoice, unpaid
    await settle_all(database_url, jobs, clock)
    [invoice] = await invoices(gql, "THRESHOLD")
    before = await _effects(runtime.db)

    refused = (await gql(PAY, id=invoice["id"]))["payInvoiceWithCredits"]
    assert (refused["__typename"], refused["field"]) == ("InsufficientCreditsError", "invoiceId")
    await settle_all(database_url, jobs, clock)
    assert await _effects(runtime.db) == before
    assert wallet_id


async def _live_wallet_messages(database: Database) -> list[list[str]]:
    """The balances carried by each live row of ``wallet.updated`` messages, oldest first."""
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT payload FROM outbox WHERE kind = 'live' ORDER BY id")
        )
        found = []
        for (payload,) in rows:
            balances = [
                message["balance"]
                for _, message in payload.get("messages", [])
                if message.get("type") == "wallet.updated"
            ]
            if balances:
                found.append(balances)
        return found
