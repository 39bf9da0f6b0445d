"""Selling from the customer page: a paid top-up (an invoice; the credits arrive when it is
paid), subscribing to a plan, terminating with its final invoice, the API's field errors next
to the field, and viewers who see none of these actions."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

from nicegui.testing import User

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.console.conftest import log_in
from tests.console.support import (
    balance,
    eventually,
    eventually_error,
    make_customer,
    rows,
    table_rows,
)

PLAN = """
mutation { createPlan(input: {code: "pro", name: "Pro", currency: "USD", baseFee: "30.00"}) {
  __typename ... on Error { message } } }
"""
CARD = """
mutation { addPaymentMethod(input: {customerExternalId: "acme", reference: "pm_sandbox_ok"}) {
  __typename ... on Error { message } } }
"""
SUBSCRIBE = """
mutation { createSubscription(input: {customerExternalId: "acme", planCode: "pro"}) {
  __typename ... on Error { message } } }
"""


async def open_acme(user: User, runtime: Runtime) -> int:
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    await user.open("/console/customers/acme")
    await user.should_see(marker="balance-sentence", retries=30)
    return wallet_id


async def open_top_up(user: User) -> None:
    """Click Top up and wait until the dialog has loaded the bundles and payment methods."""
    user.find(marker="top-up").click()
    button = next(iter(user.find(marker="topup-next").elements))
    assert await eventually(lambda: getattr(button, "text", "") == "Review", seconds=5)


async def test_an_admin_subscribes_a_customer_to_a_plan(
    logged_in: User, runtime: Runtime, gql: GraphQLClient
) -> None:
    user = logged_in
    await gql(PLAN)
    await open_acme(user, runtime)
    await user.should_see("No plan: usage is not priced for this customer yet.", retries=30)
    user.find(marker="subscribe").click()
    await user.should_see("Subscribe Acme Corp to a plan", retries=30)
    user.find(marker="subscribe-plan").click()
    user.find("Pro (billed monthly, USD)").click()
    user.find(marker="confirm-subscribe").click()
    await user.should_see(marker="subscription", retries=30)
    await user.should_see("Pro: active", retries=30)
    await user.should_see(marker="terminate", retries=30)
    await user.should_not_see(marker="subscribe")
    assert "Acme Corp is now on Pro." in user.notify.messages
    live = await rows(runtime, "SELECT status FROM subscriptions")
    assert [r.status for r in live] == ["active"]
    audit = await rows(runtime, "SELECT id FROM audit_log WHERE action = 'createSubscription'")
    assert len(audit) == 1


async def test_terminating_asks_first_and_shows_the_final_invoice(
    user: User,
    admin: tuple[str, str],
    runtime: Runtime,
    gql: GraphQLClient,
    clock: FrozenClock,
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "1000")
    await gql(PLAN)
    await gql(SUBSCRIBE)
    clock.advance(timedelta(days=10))  # a third of the period: a part of the base fee is due
    await log_in(user, admin, "/console/customers/acme")
    await user.should_see("Pro: active", retries=30)
    await user.should_see("No invoices for this customer yet.", retries=30)
    user.find(marker="terminate").click()
    await user.should_see("Terminate Acme Corp's subscription?", retries=30)
    await user.should_see("A final invoice is issued now", retries=30)
    assert [r.status for r in await rows(runtime, "SELECT status FROM subscriptions")] == [
        "active"
    ]  # nothing before the confirmation
    user.find(marker="confirm-terminate").click()
    await user.should_see("No plan: usage is not priced for this customer yet.", retries=30)
    await user.should_see(marker="subscribe", retries=30)
    assert await eventually(lambda: len(table_rows(user, "customer-invoices")) == 1, seconds=5)
    invoice = table_rows(user, "customer-invoices")[0]
    assert invoice["type"] == "end of period"
    assert invoice["total"].endswith("USD") and invoice["total"] != "0.00 USD", invoice
    assert [r.status for r in await rows(runtime, "SELECT status FROM subscriptions")] == [
        "terminated"
    ]


async def test_a_top_up_creates_an_invoice_and_credits_arrive_when_paid(
    logged_in: User,
    runtime: Runtime,
    gql: GraphQLClient,
    publish: Callable[[], Awaitable[int]],
) -> None:
    user = logged_in
    wallet_id = await make_customer(runtime, "acme", "Acme Corp", "1000")
    await gql(CARD)
    await user.open("/console/customers/acme")
    await user.should_see(marker="balance-sentence", retries=30)
    await open_top_up(user)
    await user.should_see("Sell credits to Acme Corp", retries=30)
    user.find(marker="topup-amount").type("5,000")
    user.find(marker="topup-next").click()
    await user.should_see("Sell 5,000 credits to Acme Corp for about 50.00 USD.", retries=30)
    assert await rows(runtime, "SELECT id FROM invoices") == []  # nothing before confirming
    user.find(marker="topup-next").click()
    pattern = re.compile(r"Invoice (\S+) for 50\.00 USD created; 5,000 credits arrive when it is")
    assert await eventually(
        lambda: any(pattern.search(m) for m in user.notify.messages), seconds=5
    ), user.notify.messages
    invoices = await rows(runtime, "SELECT number, type FROM invoices")
    assert [i.type for i in invoices] == ["credit_purchase"]
    message = next(m for m in user.notify.messages if pattern.search(m))
    match = pattern.search(message)
    assert match is not None and match.group(1) == invoices[0].number
    assert await eventually(lambda: len(table_rows(user, "customer-invoices")) == 1, seconds=5)
    assert table_rows(user, "customer-invoices")[0]["type"] == "credit purchase"
    assert await balance(runtime, wallet_id) == 1000  # not paid yet
    await publish()  # the sandbox charges the card
    await user.should_see("Acme Corp has 6,000 credits left", retries=50)
    assert await balance(runtime, wallet_id) == 6000


async def test_a_bad_amount_shows_the_apis_message_next_to_the_field(
    logged_in: User, runtime: Runtime, gql: GraphQLClient
) -> None:
    user = logged_in
    await make_customer(runtime, "acme", "Acme Corp", "1000")
    await gql(CARD)
    await user.open("/console/customers/acme")
    await user.should_see(marker="balance-sentence", retries=30)
    await open_top_up(user)
    user.find(marker="topup-amount").type("0.1")  # worth less than a cent
    user.find(marker="topup-next").click()
    await user.should_see("Sell 0.1 credits", retries=30)
    user.find(marker="topup-next").click()
    message = await eventually_error(user, "topup-amount")
    assert message == "Is worth less than the smallest unit of money.", message
    assert await rows(runtime, "SELECT id FROM invoices") == []


async def test_a_customer_without_a_card_is_told_next_to_the_payment_method(
    logged_in: User, runtime: Runtime
) -> None:
    user = logged_in
    await open_acme(user, runtime)
    await open_top_up(user)
    await user.should_see("The customer's default (none on file yet)", retries=30)
    user.find(marker="topup-amount").type("500")
    user.find(marker="topup-next").click()
    user.find(marker="topup-next").click()
    message = await eventually_error(user, "topup-method")
    assert message is not None and "no default payment method" in message, message
    assert await rows(runtime, "SELECT id FROM invoices") == []


async def test_a_viewer_sees_none_of_the_three_actions(
    user: User, viewer: tuple[str, str], runtime: Runtime, gql: GraphQLClient
) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "1000")
    await make_customer(runtime, "globex", "Globex Inc", "1000")
    await gql(PLAN)
    await gql(SUBSCRIBE)
    await log_in(user, viewer, "/console/customers/acme")
    await user.should_see("Pro: active", retries=30)
    await user.should_see("Read only: ask an admin to grant or remove credits.", retries=30)
    await user.should_not_see(marker="top-up")
    await user.should_not_see(marker="terminate")
    await user.open("/console/customers/globex")
    await user.should_see("No plan: usage is not priced for this customer yet.", retries=30)
    await user.should_not_see(marker="subscribe")
    await user.should_not_see(marker="top-up")
