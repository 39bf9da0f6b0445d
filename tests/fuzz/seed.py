"""The rows the fuzzer aims at, made through the public API on a freshly truncated database:
the demo's four customers and their wallets (ids 1 to 4, three weeks of history), metrics, a
credit plan and a money plan, subscriptions (one terminated, with its final invoice), a payment
method and a top-up (a recharge and its invoice), spend alerts, an auto-recharge rule, a webhook
endpoint, an operator, spare API keys, accepted and rejected events. Ids restart at 1 with every
truncation, so ``IDS`` and ``VOCABULARY`` are known before the run: the strategies
(``tests.fuzz.strategies``) draw from them."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import text

from app.edge.demo import seed as demo_seed
from app.runtime import Runtime
from tests.conftest import START, GraphQLClient, mint_key

TEN_DAYS = timedelta(days=10)
IDS = 6  # every seeded table has rows 1 to at least 2; ids up to 6 hit some, miss others
CUSTOMERS = ["acme", "globex", "initech", "umbrella"]
METRICS = ["api_calls", "gb_processed", "seats", "users"]
PLANS = ["starter", "scale"]
PROPERTY_KEYS = ["gb", "seats", "user", "pages", "region"]
FUZZ_KEY_IDS = 900_001  # the fuzzer's own keys: out of reach of revokeApiKey(id: 1..IDS)


def _cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode()


VOCABULARY = [
    *CUSTOMERS,
    *METRICS,
    *PLANS,
    "starter",
    "growth",
    "USD",
    "EUR",
    "usd",
    "pm_sandbox_ok",
    "pm_sandbox_decline",
    "pm_sandbox_late_fail",
    "wallet.updated",
    "invoice.paid",
    "https://hooks.example.com/tally",
    "http://127.0.0.1/hook",
    "http://169.254.169.254/latest",
    "ops@tally.test",
    "admin",
    "read",
    "ingest",
    "grant_credits",
    "login_failed",
    "TLY-000001",
    "evt-1",
    _cursor("id:1"),
    _cursor("id:3"),
    _cursor("id:-1"),
    _cursor("id:99999999999999999999"),
    _cursor("nonsense"),
    *PROPERTY_KEYS,
]


@dataclass(frozen=True)
class Credentials:
    admin: str
    read: str
    customer: str  # a customer token for acme
    ingest: str  # for POST /v1/events


async def seed(runtime: Runtime, http: httpx.AsyncClient) -> Credentials:
    async with runtime.db.transaction() as session:
        await demo_seed(session, runtime.clock.now() - timedelta(days=21))
    setup_key = await mint_key(runtime, ["admin"], "seed")
    gql = GraphQLClient(http, setup_key)
    await _catalog(gql)
    await _billing(gql)
    await _extras(gql)
    ingest = await mint_key(runtime, ["ingest"], "seed-ingest")
    await _events(http, ingest)
    for name in ("spare-1", "spare-2"):
        await mint_key(runtime, ["read"], name)
    async with runtime.db.engine.begin() as connection:
        await connection.execute(
            text(f"ALTER SEQUENCE api_keys_id_seq RESTART WITH {FUZZ_KEY_IDS}")
        )
    admin = await mint_key(runtime, ["admin"], "fuzz-admin")
    token = await _ok(
        gql,
        'mutation { createCustomerToken(customerExternalId: "acme", ttlSeconds: 86400) '
        "{ __typename ... on CustomerToken { token } } }",
    )
    read = await mint_key(runtime, ["read"], "fuzz-read")
    return Credentials(admin, read, token["token"], ingest)


async def _ok(gql: GraphQLClient, query: str, **variables: Any) -> dict[str, Any]:
    data = await gql(query, **variables)
    payload: dict[str, Any] = next(iter(data.values()))
    assert not payload["__typename"].endswith("Error"), payload
    return payload


def _mutation(name: str, input_type: str) -> str:
    return (
        f"mutation($input: {input_type}!) {{ {name}(input: $input) "
        "{ __typename ... on Error { code field message } } }"
    )


async def _catalog(gql: GraphQLClient) -> None:
    for code, aggregation, prop in zip(
        METRICS, ["COUNT", "SUM", "MAX", "UNIQUE_COUNT"], [None, "gb", "seats", "user"], strict=True
    ):
        await _ok(
            gql,
            _mutation("createMetric", "CreateMetricInput"),
            input={
                "code": code,
                "name": code.title(),
                "unitSingular": code,
                "unitPlural": code,
                "aggregation": aggregation,
                "property": prop,
            },
        )
    await _ok(
        gql,
        _mutation("createPlan", "CreatePlanInput"),
        input={
            "code": "starter",
            "name": "Starter",
            "currency": "USD",
            "charges": [
                {"metricCode": "api_calls", "creditPrice": "1"},
                {"metricCode": "seats", "creditPrice": "5", "model": "PACKAGE", "packageSize": 10},
            ],
        },
    )
    await _ok(
        gql,
        _mutation("createPlan", "CreatePlanInput"),
        input={
            "code": "scale",
            "name": "Scale",
            "currency": "USD",
            "baseFee": "20",
            "moneyCharges": [
                {
                    "metricCode": "gb_processed",
                    "model": "GRADUATED",
                    "tiers": [{"upTo": "100", "unitPrice": "0.50"}, {"unitPrice": "0.40"}],
                },
                {"metricCode": "users", "unitPrice": "2"},
            ],
            "thresholds": [{"amount": "50"}, {"amount": "200", "recurring": True}],
        },
    )


async def _billing(gql: GraphQLClient) -> None:
    subscribe = _mutation("createSubscription", "CreateSubscriptionInput")
    await _ok(gql, subscribe, input={"customerExternalId": "acme", "planCode": "starter"})
    await _ok(gql, subscribe, input={"customerExternalId": "initech", "planCode": "scale"})
    await _ok(gql, subscribe, input={"customerExternalId": "globex", "planCode": "scale"})
    await _ok(gql, 'mutation { terminateSubscription(id: "3") { __typename } }')
    await _ok(
        gql,
        _mutation("addPaymentMethod", "AddPaymentMethodInput"),
        input={"customerExternalId": "acme", "reference": "pm_sandbox_ok", "makeDefault": True},
    )
    await _ok(
        gql,
        _mutation("addPaymentMethod", "AddPaymentMethodInput"),
        input={"customerExternalId": "umbrella", "reference": "pm_sandbox_decline"},
    )
    await _ok(
        gql,
        _mutation("topUp", "TopUpInput"),
        input={"walletId": "1", "idempotencyKey": "seed-top-up", "bundleCode": "starter"},
    )


async def _extras(gql: GraphQLClient) -> None:
    await _ok(
        gql,
        _mutation("setAlertThresholds", "SetAlertThresholdsInput"),
        input={
            "walletId": "1",
            "thresholds": [
                {"kind": "PERCENT", "value": "50"},
                {"kind": "ABSOLUTE", "value": "100"},
            ],
        },
    )
    await _ok(
        gql,
        _mutation("setAutoRecharge", "SetAutoRechargeInput"),
        input={
            "walletId": "1",
            "trigger": "THRESHOLD",
            "method": "FIXED",
            "credits": "1000",
            "threshold": "100",
        },
    )
    await _ok(
        gql,
        _mutation("createWebhookEndpoint", "CreateWebhookEndpointInput"),
        input={"url": "https://hooks.example.com/tally", "eventTypes": ["wallet.updated"]},
    )
    await _ok(
        gql,
        _mutation("createOperator", "CreateOperatorInput"),
        input={"email": "ops@tally.test", "password": "correct horse battery", "role": "ADMIN"},
    )


async def _events(http: httpx.AsyncClient, ingest_key: str) -> None:
    now = START.isoformat()
    events = [
        {
            "transaction_id": f"seed-{n}",
            "customer_external_id": customer,
            "metric_code": metric,
            "timestamp": now,
            "properties": {"gb": n, "seats": n, "user": f"u{n % 3}"},
        }
        for n, (customer, metric) in enumerate((c, m) for c in ("acme", "initech") for m in METRICS)
    ]
    events.append(
        {"transaction_id": "seed-bad", "customer_external_id": "nobody", "metric_code": "api_calls"}
    )
    response = await http.post(
        "/v1/events", json={"events": events}, headers={"authorization": f"Bearer {ingest_key}"}
    )
    assert response.status_code == 200, response.text
