"""Helpers for the progressive billing suites: S9's plan "Scale" through the public API, events
of gigabytes on both ingest surfaces, invoices read back through GraphQL."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import FrozenClock
from app.flows.ingest import ingest as ingest_batch
from app.metering.outcomes import Outcome, Source
from app.metering.validation import REST_FIELDS, Window
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.metering.support import create_metric, ingest, subscribe
from tests.payments.support import customer_with_method, settle_all
from workers.scheduler import Scheduler
from workers.system import JobSystem

ERROR = "... on Error { __typename code field message }"

INVOICE = """id number type status paymentStatus total { amount currency } threshold { amount }
  periodStart periodEnd finalizedAt dueAt creditsPaid overdueAt
  lines { description quantity unitPrice amount { amount } }
  subscription { id }"""

INVOICES = f"""query($type: InvoiceType, $subscription: ID) {{
  invoices(type: $type, subscriptionId: $subscription, first: 50) {{ nodes {{ {INVOICE} }} }} }}"""

CREATE_PLAN = f"""
mutation($input: CreatePlanInput!) {{ createPlan(input: $input) {{
  __typename
  ... on PlanPayload {{ plan {{ code currency baseFee {{ amount }}
    thresholds {{ amount {{ amount }} recurring }}
    charges {{ metric {{ code }} pricing model unitPrice percentage fixedFee packageSize
      tiers {{ upTo unitPrice flatFee }} }} }} }}
  {ERROR}
}} }}"""

SUBSCRIPTION = """query($id: ID!) { subscription(id: $id) {
  id status suspensionReason payWithCredits thresholdsOverridden
  thresholds { amount { amount } recurring }
  currentPeriodStart currentPeriodEnd
  billingPeriod { periodStart periodEnd usage { amount } billedByThresholds { amount }
    lastThreshold { amount } nextThreshold { amount } closedAt }
  usage { metricCode units amount { amount } } } }"""

SET_THRESHOLDS = f"""
mutation($input: SetSubscriptionThresholdsInput!) {{ setSubscriptionThresholds(input: $input) {{
  __typename ... on SubscriptionPayload {{ subscription {{ thresholdsOverridden
    thresholds {{ amount {{ amount }} recurring }} }} }}
  {ERROR}
}} }}"""

SET_PAYMENT = f"""
mutation($input: SetSubscriptionPaymentInput!) {{ setSubscriptionPayment(input: $input) {{
  __typename ... on SubscriptionPayload {{ subscription {{ payWithCredits }} }}
  {ERROR}
}} }}"""

ENTITLEMENT = """query($c: String!, $m: String!) {
  entitlement(customerExternalId: $c, metricCode: $m, units: "1") {
    __typename ... on Entitlement { allowed reason } } }"""

S9_TIERS = [{"upTo": "100", "unitPrice": "0.50"}, {"unitPrice": "0.40"}]
S9_THRESHOLDS: list[dict[str, Any]] = [
    {"amount": "50.00"},
    {"amount": "100.00"},
    {"amount": "200.00", "recurring": True},
]


async def create_plan(gql: GraphQLClient, **plan: Any) -> dict[str, Any]:
    data = await gql(CREATE_PLAN, input={"currency": "USD", "interval": "MONTHLY", **plan})
    payload: dict[str, Any] = data["createPlan"]
    assert payload["__typename"] == "PlanPayload", payload
    return payload["plan"]


async def scale_plan(gql: GraphQLClient) -> dict[str, Any]:
    """S9's plan "Scale": gb_processed = sum of gb, graduated 0.50 up to 100 GB, 0.40 above;
    thresholds 50.00 and 100.00, then every 200.00."""
    await create_metric(gql, "gb_processed", "SUM", singular="GB", plural="GB", prop="gb")
    return await create_plan(
        gql,
        code="scale",
        name="Scale",
        moneyCharges=[{"metricCode": "gb_processed", "model": "GRADUATED", "tiers": S9_TIERS}],
        thresholds=S9_THRESHOLDS,
    )


async def scale_customer(
    gql: GraphQLClient, external_id: str = "acme", method: str | None = "pm_sandbox_ok"
) -> tuple[int, str]:
    """A customer (USD wallet at 0.01, a payment method unless ``method`` is None) on Scale;
    the wallet id and the subscription id."""
    wallet_id = await customer_with_method(gql, external_id, method)
    return wallet_id, await subscribe(gql, external_id, "scale")


def gb_events(prefix: str, total: int, *, customer: str = "acme", per_event: int = 10) -> list[Any]:
    """``total`` GB as events of ``per_event`` GB (REST spelling)."""
    return [
        {
            "transaction_id": f"{prefix}-{n}",
            "customer_external_id": customer,
            "metric_code": "gb_processed",
            "properties": {"gb": per_event},
        }
        for n in range(total // per_event)
    ]


async def send(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient, events: list[Any]
) -> dict[str, Any]:
    payload = await ingest(surface, gql, http, events)
    assert payload["accepted"] == len(events), payload
    return payload


async def invoices(
    gql: GraphQLClient, kind: str | None = None, subscription: str | None = None
) -> list[dict[str, Any]]:
    """Oldest first."""
    data = await gql(INVOICES, type=kind, subscription=subscription)
    return list(reversed(data["invoices"]["nodes"]))


async def subscription(gql: GraphQLClient, subscription_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await gql(SUBSCRIPTION, id=subscription_id))["subscription"]
    return found


async def entitlement(gql: GraphQLClient, customer: str, metric: str) -> dict[str, Any]:
    found: dict[str, Any] = (await gql(ENTITLEMENT, c=customer, m=metric))["entitlement"]
    return found


async def batch(runtime: Runtime, session: AsyncSession, events: list[Any]) -> Outcome:
    """A REST batch ingested in ``session``'s transaction, left open for the caller to commit
    (its row locks held meanwhile)."""
    settings, now = runtime.settings, runtime.clock.now()
    window = Window.around(now, settings.backdating_days, settings.future_skew_seconds)
    source = Source("http", None, REST_FIELDS)
    return await ingest_batch(session, runtime.catalog, events, source, window)


async def tick(runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock) -> None:
    """One scheduler tick at the clock's time, then every job it leads to."""
    await Scheduler(runtime).tick(clock.now())
    await settle_all(database_url, jobs, clock)


def amounts(invoice: dict[str, Any]) -> list[str]:
    return [line["amount"]["amount"] for line in invoice["lines"]]


def money(value: str) -> Decimal:
    return Decimal(value)
