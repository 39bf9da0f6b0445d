"""The subscription on the customer page: what the period's invoice would come to (the invoice
preview), switching plans (a downgrade waits for the period's end and can be cancelled; an
upgrade applies at once)."""

from __future__ import annotations

from datetime import timedelta

from nicegui.testing import User

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.console.conftest import log_in
from tests.console.support import make_customer, rows

PLANS = """
mutation {
  pro: createPlan(input: {code: "pro", name: "Pro", currency: "USD", baseFee: "30.00"}) {
    __typename }
  lite: createPlan(input: {code: "lite", name: "Lite", currency: "USD", baseFee: "10.00"}) {
    __typename }
  max: createPlan(input: {code: "max", name: "Max", currency: "USD", baseFee: "60.00"}) {
    __typename }
  sub: createSubscription(input: {customerExternalId: "acme", planCode: "pro"}) { __typename }
}
"""


async def choose(user: User, plan: str) -> None:
    await user.should_see(marker="switch", retries=30)
    user.find(marker="switch").click()
    await user.should_see("Switch from Pro", retries=30)
    user.find(marker="switch-plan").click()
    user.find(plan).click()
    user.find(marker="confirm-switch").click()  # review
    await user.should_see("is a downgrade", retries=30)
    user.find(marker="confirm-switch").click()  # switch


async def test_a_downgrade_is_scheduled_shown_and_cancelled_and_the_preview_is_shown(
    user: User,
    admin: tuple[str, str],
    runtime: Runtime,
    gql: GraphQLClient,
    clock: FrozenClock,
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "1000")
    await gql(PLANS)
    clock.advance(timedelta(days=3))
    await log_in(user, admin, "/console/customers/acme")
    await user.should_see("Pro: active", retries=30)
    await user.should_see(marker="invoice-preview", retries=30)
    await user.should_see("would be 30.00 USD", retries=30)
    await choose(user, "Lite (billed monthly, USD)")
    await user.should_see(marker="scheduled-switch", retries=30)
    await user.should_see("Moves to Lite on", retries=30)
    user.find(marker="cancel-switch").click()
    await user.should_not_see(marker="scheduled-switch", retries=30)
    found = await rows(runtime, "SELECT next_plan_id FROM subscriptions")
    assert [r.next_plan_id for r in found] == [None]

    await choose(user, "Max (billed monthly, USD)")
    await user.should_see("Max: active", retries=30)
    live = await rows(runtime, "SELECT status FROM subscriptions ORDER BY id")
    assert [r.status for r in live] == ["terminated", "active"]
