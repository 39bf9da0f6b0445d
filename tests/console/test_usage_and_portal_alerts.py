"""The customer page's usage by metric, and the portal's alert preferences (a customer token
changes only its own wallets' alerts)."""

from __future__ import annotations

from decimal import Decimal

from nicegui.testing import User

from app.runtime import Runtime
from app.wallets import service as wallets
from app.wallets.ledger import Cause, Usage
from app.wallets.models import CauseType
from tests.conftest import GraphQLClient
from tests.console.support import eventually, make_customer
from tests.console.test_portal import portal_path

TOKEN = """
mutation($id: String!) { createCustomerToken(customerExternalId: $id) {
  ... on CustomerToken { token } } }
"""
ALERTS = """
query($w: ID!) { alertThresholds(walletId: $w) {
  __typename ... on WalletAlertThresholds { thresholds { kind value } } } }
"""
ADD = """
mutation($w: ID!) { addAlertThreshold(input: {walletId: $w, kind: PERCENT, value: "30"}) {
  __typename ... on WalletAlertThresholds { thresholds { kind value } } } }
"""
RESET = "mutation($w: ID!) { resetAlertThresholds(walletId: $w) { __typename } }"
USAGE = """
query($id: String!) { usageByMetric(customerExternalId: $id) {
  metricCode unitLabel units credits } }
"""


async def burn(runtime: Runtime, wallet_id: int, credits: int, metric: str, label: str) -> None:
    async with runtime.db.transaction() as session:
        await wallets.burn(
            session,
            wallet_id,
            Decimal(credits),
            description=f"−{credits} credits · {credits} {label}",
            cause=Cause(CauseType.EVENT_BATCH, f"usage-{metric}-{credits}"),
            now=runtime.clock.now(),
            usage=Usage(metric, Decimal(credits), label),
        )


async def token_for(gql: GraphQLClient, external_id: str) -> str:
    token: str = (await gql(TOKEN, id=external_id))["createCustomerToken"]["token"]
    return token


async def test_the_customer_page_charts_usage_by_metric(
    logged_in: User, runtime: Runtime, gql: GraphQLClient
) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    await burn(runtime, wallet_id, 100, "api_call", "API calls")
    await burn(runtime, wallet_id, 40, "report", "reports")
    await burn(runtime, wallet_id, 20, "api_call", "API calls")
    usage = (await gql(USAGE, id="acme"))["usageByMetric"]
    assert [(u["metricCode"], Decimal(u["units"]), Decimal(u["credits"])) for u in usage] == [
        ("api_call", Decimal(120), Decimal(120)),
        ("report", Decimal(40), Decimal(40)),
    ]
    await logged_in.open("/console/customers/acme")
    await logged_in.should_see("Usage by metric (last 30 days)", retries=30)
    await logged_in.should_see(marker="usage-chart")
    await logged_in.should_see("api_call: 120 API calls for 120 credits")
    await logged_in.should_see("report: 40 reports for 40 credits")


async def test_the_customer_page_says_when_there_is_no_usage(
    logged_in: User, runtime: Runtime
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "1000")
    await logged_in.open("/console/customers/acme")
    await logged_in.should_see("No usage in the last 30 days.", retries=30)
    await logged_in.should_not_see(marker="usage-chart")


async def test_usage_by_metric_is_only_for_the_customer_itself(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "10")
    await make_customer(runtime, "globex", "Globex Inc", "10")
    token = await token_for(gql, "acme")
    own = await gql.raw(USAGE, key=token, id="acme")
    assert own["data"]["usageByMetric"] == []
    other = await gql.raw(USAGE, key=token, id="globex")
    assert "not visible" in other["errors"][0]["message"]


async def test_the_portal_shows_alerts_and_the_customer_adds_and_removes_one(
    user: User, runtime: Runtime, gql: GraphQLClient
) -> None:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    await user.open(await portal_path(gql, "acme"))
    await user.should_see(
        "Email me when my balance falls below 50 %, 25 % or 10 %"
        " of 1,000 credits (my balance right after credits were last added) and when it runs out.",
        retries=30,
    )
    user.find(marker="portal-alert-percent").type("30")
    user.find(marker="portal-add-alert").click()
    await user.should_see(
        "Email me when my balance falls below 50 %, 30 %, 25 % or 10 %"
        " of 1,000 credits (my balance right after credits were last added) and when it runs out.",
        retries=30,
    )
    user.find(marker="portal-remove-alert-50").click()
    await user.should_see(
        "Email me when my balance falls below 30 %, 25 % or 10 %"
        " of 1,000 credits (my balance right after credits were last added) and when it runs out.",
        retries=30,
    )
    assert await eventually(lambda: "Alert removed." in user.notify.messages)
    found = await gql(ALERTS, w=str(wallet_id))
    values = {t["value"] for t in found["alertThresholds"]["thresholds"] if t["kind"] == "PERCENT"}
    assert values == {"30", "25", "10"}


async def test_a_customer_token_cannot_touch_another_customers_alerts(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "10")
    globex = await make_customer(runtime, "globex", "Globex Inc", "10")
    token = await token_for(gql, "acme")
    for query in (ALERTS, ADD, RESET):
        body = await gql.raw(query, key=token, w=str(globex))
        assert "not visible" in body["errors"][0]["message"], body
    found = await gql(ALERTS, w=str(globex))
    assert all(t["value"] != "30" for t in found["alertThresholds"]["thresholds"])


async def test_a_customer_token_changes_its_own_alerts(
    runtime: Runtime, gql: GraphQLClient
) -> None:
    acme = await make_customer(runtime, "acme", "Acme Corp", "10")
    token = await token_for(gql, "acme")
    body = await gql.raw(ADD, key=token, w=str(acme))
    assert not body.get("errors"), body
    assert body["data"]["addAlertThreshold"]["__typename"] == "WalletAlertThresholds"
