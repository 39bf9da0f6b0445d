"""The console's API additions, over HTTP: the audit trail of API-key callers, auditLog,
operators, consumptionByDay and walletTotals."""

from __future__ import annotations

from datetime import timedelta

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient, mint_key
from tests.console.support import make_customer, rows

GRANT = """
mutation($w: ID!, $idem: String!) {
  grantCredits(input: {walletId: $w, amount: "500", idempotencyKey: $idem, reason: "goodwill"}) {
    __typename
  }
}
"""


async def test_api_key_callers_are_audited_by_key_name(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp")
    for _ in range(2):  # a retry with the same key grants once and logs once
        data = await gql(GRANT, w=str(wallet_id), idem="k-1")
        assert data["grantCredits"]["__typename"] == "LedgerEntryPayload"
    log = await gql("{ auditLog(first: 10) { nodes { summary actorKind actorName reason } } }")
    assert log["auditLog"]["nodes"] == [
        {
            "summary": "API key “test” granted 500 credits to Acme Corp — reason: goodwill",
            "actorKind": "api_key",
            "actorName": "test",
            "reason": "goodwill",
        }
    ]


async def test_a_failed_mutation_writes_no_audit_line(runtime: Runtime, gql: GraphQLClient) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp")
    data = await gql(
        """mutation($w: ID!) { voidCredits(input: {walletId: $w, amount: "5", reason: "x",
        idempotencyKey: "v"}) { __typename } }""",
        w=str(wallet_id),
    )
    assert data["voidCredits"]["__typename"] == "InsufficientCreditsError"
    assert await rows(runtime, "SELECT id FROM audit_log") == []


async def test_ingestion_is_not_audited(runtime: Runtime) -> None:
    from graphql_schema.audit.describe import UNAUDITED

    assert "ingestEvents" in UNAUDITED


async def test_operators_over_the_api(runtime: Runtime, gql: GraphQLClient) -> None:
    created = await gql(
        """mutation { createOperator(input: {email: "ops@tally.test",
          password: "a-long-password", role: ADMIN}) {
            __typename ... on OperatorPayload { operator { id email role active } } } }"""
    )
    operator = created["createOperator"]["operator"]
    assert operator["email"] == "ops@tally.test" and operator["role"] == "ADMIN"
    listed = await gql("{ operators { email } }")
    assert listed["operators"] == [{"email": "ops@tally.test"}]
    refused = await gql(
        "mutation($id: ID!) { disableOperator(id: $id) { __typename ... on Error { message } } }",
        id=operator["id"],
    )
    assert "last active admin" in refused["disableOperator"]["message"]
    audit = await rows(runtime, "SELECT summary, details::text AS details FROM audit_log")
    assert audit[0].summary == "API key “test” added the operator ops@tally.test as admin"
    assert "a-long-password" not in audit[0].details


async def test_a_read_key_cannot_manage_operators(runtime: Runtime, gql: GraphQLClient) -> None:
    key = await mint_key(runtime, ["read"], "reader")
    body = await gql.raw("{ operators { email } }", key=key)
    assert "lacks the 'admin' scope" in body["errors"][0]["message"]


async def test_consumption_by_day_and_totals(
    runtime: Runtime, gql: GraphQLClient, clock: FrozenClock
) -> None:
    from decimal import Decimal

    from app.wallets import service as wallets
    from app.wallets.ledger import Cause, Usage
    from app.wallets.models import CauseType

    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    await make_customer(runtime, "globex", "Globex Inc", "50")
    for day, credits in ((2, 40), (0, 25)):
        async with runtime.db.transaction() as session:
            await wallets.burn(
                session,
                wallet_id,
                Decimal(credits),
                description="usage",
                cause=Cause(CauseType.EVENT_BATCH, f"d{day}"),
                now=clock.now() - timedelta(days=day),
                usage=Usage("api_call", Decimal(credits), "API calls"),
            )
    data = await gql(
        """{ all: consumptionByDay(days: 3) { day credits }
             acme: consumptionByDay(days: 3, customerExternalId: "acme") { credits }
             globex: consumptionByDay(days: 3, customerExternalId: "globex") { credits }
             walletTotals { currency wallets creditsOutstanding valueOutstanding { amount } } }"""
    )
    assert [d["credits"] for d in data["all"]] == ["40", "0", "25"]
    assert data["all"][-1]["day"] == clock.now().date().isoformat()
    assert [d["credits"] for d in data["acme"]] == ["40", "0", "25"]
    assert [d["credits"] for d in data["globex"]] == ["0", "0", "0"]
    assert data["walletTotals"] == [
        {
            "currency": "USD",
            "wallets": 2,
            "creditsOutstanding": "985",
            "valueOutstanding": {"amount": "9.85"},
        }
    ]
    body = await gql.raw("{ consumptionByDay(days: 0) { credits } }")
    assert "between 1 and 366" in body["errors"][0]["message"]
