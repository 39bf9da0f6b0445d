"""Helpers for plan switches, commitments and previews: plans with a base fee and a per-GB
money charge, events of gigabytes, the switch and preview operations through GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tests.billing.support import ERROR, create_plan, gb_events
from tests.conftest import GraphQLClient
from tests.metering.support import create_metric, ingest_graphql

SWITCH = f"""mutation($input: SwitchPlanInput!) {{ switchPlan(input: $input) {{
  __typename
  ... on SubscriptionPayload {{ subscription {{ id status previousSubscriptionId
    plan {{ code }} scheduledPlan {{ code }} startedAt currentPeriodStart currentPeriodEnd }} }}
  {ERROR}
}} }}"""

CANCEL = f"""mutation($id: ID!) {{ cancelPlanSwitch(subscriptionId: $id) {{
  __typename
  ... on SubscriptionPayload {{ subscription {{ id scheduledPlan {{ code }} }} }}
  {ERROR}
}} }}"""

COMMIT = f"""mutation($input: SetPlanCommitmentsInput!) {{ setPlanCommitments(input: $input) {{
  __typename
  ... on PlanPayload {{ plan {{ code commitment {{ amount currency }}
    spendingMinimums {{ metricCode minimum {{ amount currency }} }} }} }}
  {ERROR}
}} }}"""

PREVIEW = f"""query($id: ID!, $at: DateTime, $change: PreviewSwitchInput, $terminate: Boolean!) {{
  invoicePreview(subscriptionId: $id, at: $at, change: $change, terminate: $terminate) {{
    __typename
    ... on InvoicePreview {{ periodStart periodEnd effectiveAt upgrade
      total {{ amount currency }}
      lines {{ description quantity unitPrice amount {{ amount }} }} }}
    {ERROR}
  }} }}"""

STATE = """query($id: ID!) { subscription(id: $id) {
  id status terminatedAt previousSubscriptionId plan { code } scheduledPlan { code }
  startedAt currentPeriodStart currentPeriodEnd usage { metricCode units } } }"""

LIVE = """query($c: String!) {
  subscriptions(customerExternalId: $c, statuses: [ACTIVE, SUSPENDED]) {
    nodes { id plan { code } startedAt previousSubscriptionId } } }"""


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


async def gb_metric(gql: GraphQLClient) -> None:
    await create_metric(gql, "gb_processed", "SUM", singular="GB", plural="GB", prop="gb")


async def gb_plan(
    gql: GraphQLClient, code: str, fee: str, per_gb: str, **extra: Any
) -> dict[str, Any]:
    """A plan named after its code ("plan_a": "Plan A"): ``fee`` a period, ``per_gb`` a GB."""
    return await create_plan(
        gql,
        code=code,
        name=code.replace("_", " ").title(),
        baseFee=fee,
        moneyCharges=[{"metricCode": "gb_processed", "model": "PER_UNIT", "unitPrice": per_gb}],
        **extra,
    )


async def use_gb(gql: GraphQLClient, prefix: str, total: int, customer: str = "acme") -> None:
    """``total`` GB in at most 100 events."""
    size = max(10, total // 100)
    payload = await ingest_graphql(gql, gb_events(prefix, total, customer=customer, per_event=size))
    assert payload["accepted"] == total // size, payload


async def switch(gql: GraphQLClient, subscription_id: str, plan: str) -> dict[str, Any]:
    data = await gql(SWITCH, input={"subscriptionId": subscription_id, "planCode": plan})
    result: dict[str, Any] = data["switchPlan"]
    return result


async def state(gql: GraphQLClient, subscription_id: str) -> dict[str, Any]:
    found: dict[str, Any] = (await gql(STATE, id=subscription_id))["subscription"]
    return found


async def live(gql: GraphQLClient, customer: str = "acme") -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await gql(LIVE, c=customer))["subscriptions"]["nodes"]
    return nodes


async def preview(
    gql: GraphQLClient,
    subscription_id: str,
    when: datetime | None = None,
    change: str | None = None,
    terminate: bool = False,
) -> dict[str, Any]:
    data = await gql(
        PREVIEW,
        id=subscription_id,
        at=when.isoformat() if when is not None else None,
        change={"planCode": change} if change is not None else None,
        terminate=terminate,
    )
    result: dict[str, Any] = data["invoicePreview"]
    return result


def lines(invoice: dict[str, Any]) -> list[tuple[str, str]]:
    return [(line["description"], line["amount"]["amount"]) for line in invoice["lines"]]
