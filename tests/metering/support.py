"""Helpers for the metering and plans suites: S1's setup through the public API, both ingest
surfaces, and the ledger invariant checked in SQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text

from app.db.engine import Database
from tests.conftest import GraphQLClient

ERROR = "... on Error { __typename code field message }"

INGEST = f"""
mutation($events: [EventInput!]!) {{ ingestEvents(events: $events) {{
  __typename
  ... on IngestEventsPayload {{
    accepted duplicates rejected
    results {{ index transactionId status error {{ code field message }} }}
    wallets {{ walletId customerExternalId currency balance }}
  }}
  {ERROR}
}} }}"""

CREATE_METRIC = f"""
mutation($input: CreateMetricInput!) {{ createMetric(input: $input) {{
  __typename
  ... on MetricPayload {{ metric {{ id code name unitSingular unitPlural aggregation property }} }}
  {ERROR}
}} }}"""

CREATE_PLAN = f"""
mutation($input: CreatePlanInput!) {{ createPlan(input: $input) {{
  __typename
  ... on PlanPayload {{ plan {{ id code currency interval
    charges {{ metric {{ code }} pricing model creditPrice packageSize }} }} }}
  {ERROR}
}} }}"""

SUBSCRIBE = f"""
mutation($input: CreateSubscriptionInput!) {{ createSubscription(input: $input) {{
  __typename
  ... on SubscriptionPayload {{ subscription {{ id status currentPeriodStart currentPeriodEnd }} }}
  {ERROR}
}} }}"""

WALLET = """
query($id: ID!) { wallet(id: $id) { balance debt
  grants { nodes { kind amount remaining } }
  ledgerEntries(first: 50) { nodes { kind credits description metricCode units unitLabel
    causeType allocations { credits } } } } }"""


async def create_customer(
    gql: GraphQLClient, external_id: str, *, policy: str = "ALLOW", overdraft: str | None = None
) -> str:
    wallet: dict[str, Any] = {"rate": "0.01", "policy": policy}
    if overdraft is not None:
        wallet["overdraftLimit"] = overdraft
    data = await gql(
        """mutation($input: CreateCustomerInput!) { createCustomer(input: $input) {
            ... on CustomerPayload { wallet { id } } ... on Error { message } } }""",
        input={
            "externalId": external_id,
            "name": external_id.title(),
            "currency": "USD",
            "billingEmail": f"billing@{external_id}.test",
            "wallet": wallet,
        },
    )
    wallet_id: str = data["createCustomer"]["wallet"]["id"]
    return wallet_id


async def grant(
    gql: GraphQLClient, wallet_id: str, amount: str, key: str, *, kind: str = "FREE", **extra: Any
) -> None:
    data = await gql(
        """mutation($input: GrantCreditsInput!) { grantCredits(input: $input) {
            __typename ... on Error { message } } }""",
        input={
            "walletId": wallet_id,
            "amount": amount,
            "idempotencyKey": key,
            "kind": kind,
            **extra,
        },
    )
    assert data["grantCredits"]["__typename"] == "LedgerEntryPayload", data


async def create_metric(
    gql: GraphQLClient,
    code: str,
    aggregation: str = "COUNT",
    singular: str | None = None,
    plural: str | None = None,
    prop: str | None = None,
) -> dict[str, Any]:
    data = await gql(
        CREATE_METRIC,
        input={
            "code": code,
            "name": code.replace("_", " ").title(),
            "unitSingular": singular or code,
            "unitPlural": plural or f"{code}s",
            "aggregation": aggregation,
            "property": prop,
        },
    )
    payload: dict[str, Any] = data["createMetric"]
    assert payload["__typename"] == "MetricPayload", payload
    return payload["metric"]


async def create_plan(
    gql: GraphQLClient, code: str, charges: list[dict[str, Any]], interval: str = "MONTHLY"
) -> dict[str, Any]:
    data = await gql(
        CREATE_PLAN,
        input={
            "code": code,
            "name": code.title(),
            "currency": "USD",
            "interval": interval,
            "charges": charges,
        },
    )
    payload: dict[str, Any] = data["createPlan"]
    assert payload["__typename"] == "PlanPayload", payload
    return payload["plan"]


async def subscribe(gql: GraphQLClient, customer: str, plan: str, **extra: Any) -> str:
    data = await gql(SUBSCRIBE, input={"customerExternalId": customer, "planCode": plan, **extra})
    payload = data["createSubscription"]
    assert payload["__typename"] == "SubscriptionPayload", payload
    subscription_id: str = payload["subscription"]["id"]
    return subscription_id


async def setup_s1(gql: GraphQLClient) -> str:
    """S1: acme, USD wallet at 0.01, 1,000 free signup credits (30 days) and 5,000 paid credits
    (the Starter Pack, 50.00 USD); api_call = 1 credit, report_generated = 50 credits."""
    await gql('mutation { setSignupBonus(credits: "1000", expiresInDays: 30) { __typename } }')
    wallet_id = await create_customer(gql, "acme")
    await grant(
        gql,
        wallet_id,
        "5000",
        "starter-pack",
        kind="PAID",
        source="BUNDLE",
        cost="50.00",
        reason="Starter Pack",
    )
    await create_metric(gql, "api_call", singular="API call", plural="API calls")
    await create_metric(
        gql, "report_generated", singular="report generated", plural="reports generated"
    )
    await create_plan(
        gql,
        "starter",
        [
            {"metricCode": "api_call", "creditPrice": "1"},
            {"metricCode": "report_generated", "creditPrice": "50"},
        ],
    )
    await subscribe(gql, "acme", "starter")
    return wallet_id


def s1_events(prefix: str = "evt") -> list[dict[str, Any]]:
    """300 api_call and 10 report_generated events for acme (REST spelling)."""
    calls = [
        {
            "transaction_id": f"{prefix}-call-{i}",
            "customer_external_id": "acme",
            "metric_code": "api_call",
        }
        for i in range(300)
    ]
    reports = [
        {
            "transaction_id": f"{prefix}-report-{i}",
            "customer_external_id": "acme",
            "metric_code": "report_generated",
            "properties": {"pages": i},
        }
        for i in range(10)
    ]
    return calls + reports


def to_graphql(event: dict[str, Any]) -> dict[str, Any]:
    names = {
        "transaction_id": "transactionId",
        "customer_external_id": "customerExternalId",
        "metric_code": "metricCode",
        "timestamp": "timestamp",
        "properties": "properties",
    }
    return {names.get(k, k): v for k, v in event.items()}


async def ingest_graphql(gql: GraphQLClient, events: list[dict[str, Any]]) -> dict[str, Any]:
    data = await gql(INGEST, events=[to_graphql(e) for e in events])
    payload: dict[str, Any] = data["ingestEvents"]
    return payload


async def post_events(http: httpx.AsyncClient, key: str, body: Any) -> httpx.Response:
    return await http.post("/v1/events", json=body, headers={"authorization": f"Bearer {key}"})


async def ingest(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient, events: list[dict[str, Any]]
) -> dict[str, Any]:
    """Send through "graphql" or "http"; return the payload in GraphQL's spelling."""
    if surface == "graphql":
        return await ingest_graphql(gql, events)
    assert gql.key is not None
    response = await post_events(http, gql.key, {"events": events})
    assert response.status_code == 200, response.text
    body = response.json()
    return {
        "accepted": body["accepted"],
        "duplicates": body["duplicates"],
        "rejected": body["rejected"],
        "results": [
            {
                "index": r["index"],
                "transactionId": r["transaction_id"],
                "status": r["status"].upper(),
                "error": r.get("error"),
            }
            for r in body["results"]
        ],
        "wallets": [
            {
                "walletId": w["wallet_id"],
                "customerExternalId": w["customer_external_id"],
                "currency": w["currency"],
                "balance": w["balance"],
            }
            for w in body["wallets"]
        ],
    }


async def wallet(gql: GraphQLClient, wallet_id: str) -> dict[str, Any]:
    data = await gql(WALLET, id=wallet_id)
    found: dict[str, Any] = data["wallet"]
    return found


async def assert_invariant(db: Database) -> None:
    """Every wallet: balance == Σ ledger == Σ remaining grants − debt; every consumption entry
    is covered by its allocations plus the debt it created."""
    async with db.engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    """SELECT w.id, w.balance, w.debt,
                      (SELECT coalesce(sum(credits), 0) FROM ledger_entries e
                        WHERE e.wallet_id = w.id) AS ledger,
                      (SELECT coalesce(sum(remaining), 0) FROM grants g
                        WHERE g.wallet_id = w.id) AS remaining
                    FROM wallets w"""
                )
            )
        ).all()
    for row in rows:
        assert row.balance == row.ledger == row.remaining - row.debt, row


def credits(value: str) -> Decimal:
    return Decimal(value)
