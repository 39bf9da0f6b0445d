"""Reads are exact at the moment they answer: once a grant's ``expires_at`` has passed, the
balance, entitlement (both forms), the grants and the dashboard's totals leave its credits out —
before any write or sweep has expired it, and without writing anything (a ``read`` key)."""

from __future__ import annotations

from datetime import timedelta

from app.clock import FrozenClock
from app.runtime import Runtime
from app.wallets import service
from tests.conftest import START, GraphQLClient, mint_key
from tests.core.support import count_rows, create_customer, grant
from tests.metering.support import create_metric, create_plan, subscribe

T = START + timedelta(hours=1)

READ = """
query($id: ID!, $customer: String!) {
  wallet(id: $id) {
    balance balanceValue { amount }
    entitlement(credits: "60") { allowed reason balance }
    grants { nodes { kind remaining expiresAt } }
  }
  byCredits: entitlement(customerExternalId: $customer, credits: "60") {
    ... on Entitlement { allowed reason balance }
  }
  byMetric: entitlement(customerExternalId: $customer, metricCode: "report", units: "1") {
    ... on Entitlement { allowed reason balance cost }
  }
  walletTotals { currency creditsOutstanding }
}"""


async def _wallet(gql: GraphQLClient) -> int:
    """acme (policy block): 100 free credits expiring at T and 50 paid ones; a report costs 60."""
    wallet_id = await create_customer(gql, "acme", policy="BLOCK")
    await grant(gql, wallet_id, "100", "free", kind="FREE", expiresAt=T.isoformat())
    await grant(gql, wallet_id, "50", "paid", kind="PAID")
    await create_metric(gql, "report", singular="report", plural="reports")
    await create_plan(gql, "reports", [{"metricCode": "report", "creditPrice": "60"}])
    await subscribe(gql, "acme", "reports")
    return wallet_id


async def test_reads_leave_out_credits_past_their_expiry_without_writing(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    wallet_id = await _wallet(gql)
    reader = GraphQLClient(gql.http, await mint_key(runtime, ["read"]))

    before = await reader(READ, id=str(wallet_id), customer="acme")
    assert before["wallet"]["balance"] == "150"
    assert before["byMetric"]["allowed"] is True

    clock.set(T)  # the free grant expires now; nothing has written since
    entries = await count_rows(runtime.db, "ledger_entries")
    found = await reader(READ, id=str(wallet_id), customer="acme")
    wallet = found["wallet"]
    assert wallet["balance"] == "50"
    assert wallet["balanceValue"] == {"amount": "0.50"}
    assert wallet["entitlement"] == {
        "allowed": False,
        "reason": "insufficient credits",
        "balance": "50",
    }
    assert [g["remaining"] for g in wallet["grants"]["nodes"]] == ["0", "50"]
    assert found["byCredits"] == wallet["entitlement"]
    assert found["byMetric"] == {
        "allowed": False,
        "reason": "insufficient credits",
        "balance": "50",
        "cost": "60",
    }
    assert found["walletTotals"] == [{"currency": "USD", "creditsOutstanding": "50"}]
    assert await count_rows(runtime.db, "ledger_entries") == entries  # a read wrote nothing

    async with runtime.db.transaction() as session:  # the sweep writes the expiry later
        assert await service.expire_due(session, clock.now()) == 1
    after = await reader(READ, id=str(wallet_id), customer="acme")
    assert after == found
