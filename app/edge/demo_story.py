"""The demo's story, played through the real API on a clock moved day by day.

Four weeks ago: metrics with unit labels (API calls priced in credits, tokens priced in money),
the hybrid plan "Growth" (29.00 USD a month, 1 credit an API call, 0.10 USD per 1,000 tokens,
an invoice each time the period's money usage passes 20.00 USD), a subscription and a card for
every customer — Globex's card declines —, Acme's auto-recharge rule. Then every day each
customer's usage arrives through ``ingestEvents``, the scheduler ticks and the jobs run (the
embedded worker, on the moved clock): threshold and period-end invoices are issued and charged,
Globex's payments are declined, Acme's balance reaches its trigger and the auto-recharge buys
credits, Umbrella's spend alerts fire as its balance falls. Everything a person sees in the
console and the portal was written by the code paths production uses.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from app.access import Principal
from app.clock import FrozenClock
from app.db.engine import plain_url
from app.outbox.relay import Relay
from app.runtime import Runtime
from graphql_schema.context import Context
from graphql_schema.schema import build_schema
from workers.scheduler import Scheduler
from workers.system import JobSystem

DAYS = 27
SETTLE_EVERY = 3  # days between two runs of the queued jobs
CATALOG = """
mutation {
  calls: createMetric(input: {code: "api_call", name: "API calls", unitSingular: "API call",
    unitPlural: "API calls", aggregation: COUNT}) { __typename ... on Error { message } }
  tokens: createMetric(input: {code: "tokens", name: "Tokens", unitSingular: "token",
    unitPlural: "tokens", aggregation: SUM, property: "tokens"}) {
    __typename ... on Error { message } }
  createPlan(input: {code: "growth", name: "Growth", currency: "USD", baseFee: "29",
    charges: [{metricCode: "api_call", creditPrice: "1"}],
    moneyCharges: [{metricCode: "tokens", model: PACKAGE, unitPrice: "0.10",
      packageSize: 1000}],
    thresholds: [{amount: "20", recurring: true}]}) { __typename ... on Error { message } }
}"""
SUBSCRIBE = """
mutation($id: String!, $card: String!, $label: String!, $anchor: DateTime!) {
  createSubscription(input: {customerExternalId: $id, planCode: "growth", anchor: $anchor}) {
    __typename ... on Error { message } }
  addPaymentMethod(input: {customerExternalId: $id, reference: $card, label: $label}) {
    __typename ... on Error { message } }
}"""
WALLET = "query($id: String!) { customer(externalId: $id) { wallet { id } } }"
RULE = """
mutation($w: ID!) {
  setAutoRecharge(input: {walletId: $w, trigger: THRESHOLD, method: FIXED, threshold: "4000",
    credits: "5000", monthlyMaxRecharges: 4, monthlyMaxAmount: "200"}) {
    __typename ... on Error { message } }
  setTopUpOptions(input: {walletId: $w, customerSwitchesAutoRecharge: true}) {
    __typename ... on Error { message } }
}"""
TOP_UP = """
mutation($w: ID!, $key: String!) {
  topUp(input: {walletId: $w, bundleCode: "starter", idempotencyKey: $key}) {
    __typename ... on Error { message } }
}"""
INGEST = """
mutation($events: [EventInput!]!) { ingestEvents(events: $events) {
  __typename ... on IngestEventsPayload { accepted } ... on Error { message } } }"""
# (external id, card reference, card label, API calls a day at most)
CARDS = {
    "acme": ("pm_sandbox_ok", "Visa •••• 4242", 130),
    "globex": ("pm_sandbox_decline", "Visa •••• 0002", 60),
    "initech": ("pm_sandbox_ok", "Mastercard •••• 4444", 160),
    "umbrella": ("pm_sandbox_ok", "Visa •••• 1881", 110),
}


class Story:
    def __init__(self, runtime: Runtime, clock: FrozenClock, jobs: JobSystem, url: str) -> None:
        self.runtime, self.clock, self.jobs, self.url = runtime, clock, jobs, url
        self.schema = build_schema()
        self.principal: Principal | None = None
        self.scheduler = Scheduler(runtime)

    async def act_as(self, key: str) -> None:
        """Send every request with this API key (the demo admin's: the audit log names it)."""
        async with self.runtime.db.sessions() as session:
            self.principal = await self.runtime.keys.authenticate(session, f"Bearer {key}")

    async def send(self, document: str, **variables: Any) -> dict[str, Any]:
        result = await self.schema.execute(
            document, variable_values=variables, context_value=Context(self.runtime, self.principal)
        )
        if result.errors or result.data is None:
            raise RuntimeError(f"the demo's request failed: {result.errors}")
        for payload in result.data.values():
            if isinstance(payload, dict) and "message" in payload:
                raise RuntimeError(f"the demo's request was refused: {payload['message']}")
        return result.data

    async def settle(self) -> None:
        """Every job the scheduler's ticks and the requests queued, run at this moment."""
        connection = await asyncpg.connect(plain_url(self.url))
        try:
            relay = Relay(plain_url(self.url), self.jobs.dispatch, self.clock)
            for _ in range(10):
                sent = await relay.drain(connection)
                self.jobs.join()
                if sent == 0:
                    return
        finally:
            await connection.close()

    async def set_up(self, start: datetime) -> dict[str, str]:
        """The catalog, a subscription and a card per customer, Acme's rule: wallet ids."""
        self.clock.set(start)
        await self.send(CATALOG)
        wallets = {}
        for external_id, (card, label, _) in CARDS.items():
            anchor = (start - timedelta(days=18)).isoformat()
            await self.send(SUBSCRIBE, id=external_id, card=card, label=label, anchor=anchor)
            found = await self.send(WALLET, id=external_id)
            wallets[external_id] = str(found["customer"]["wallet"]["id"])
        await self.send(RULE, w=wallets["acme"])
        return wallets

    async def day(self, day: int, wallets: dict[str, str]) -> None:
        for index, (external_id, (_, _, most)) in enumerate(CARDS.items()):
            calls = 30 + (day * 17 + index * 31) % (most - 30)
            tokens = 10_000 + (day * 7919 + index * 104_729) % 40_000
            await self.send(INGEST, events=events(external_id, day, calls, tokens))
        if day == 3:  # Globex buys a pack; its card declines
            await self.send(TOP_UP, w=wallets["globex"], key="demo-globex-starter")
        await self.scheduler.tick(self.clock.now())
        if day % SETTLE_EVERY == 0 or day == DAYS:  # the jobs, every few days: a faster start
            await self.settle()

    async def play(self, start: datetime) -> None:
        wallets = await self.set_up(start)
        for day in range(1, DAYS + 1):
            self.clock.set(start + timedelta(days=day, hours=10))
            await self.day(day, wallets)


def events(external_id: str, day: int, calls: int, tokens: int) -> list[dict[str, Any]]:
    prefix = f"demo-{external_id}-{day}"
    found: list[dict[str, Any]] = [
        {
            "transactionId": f"{prefix}-call-{n}",
            "customerExternalId": external_id,
            "metricCode": "api_call",
        }
        for n in range(calls)
    ]
    found.append(
        {
            "transactionId": f"{prefix}-tokens",
            "customerExternalId": external_id,
            "metricCode": "tokens",
            "properties": {"tokens": tokens},
        }
    )
    return found
