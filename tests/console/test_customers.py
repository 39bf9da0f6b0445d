"""The customers page: search, create (with errors next to the fields), open one."""

from __future__ import annotations

from nicegui.testing import User

from app.runtime import Runtime
from tests.console.support import (
    error_of,
    eventually,
    eventually_error,
    make_customer,
    rows,
    table_rows,
)


async def test_create_a_customer(logged_in: User, runtime: Runtime) -> None:
    user = logged_in
    await user.open("/console/customers")
    await user.should_see("No customers yet", retries=30)
    user.find(marker="new-customer").click()
    user.find(marker="new-name").type("Acme Corp")
    user.find(marker="new-external-id").type("acme")
    user.find(marker="new-email").type("billing@acme.test")
    user.find(marker="create-customer").click()
    await user.should_see(marker="balance-sentence", retries=30)
    await user.should_see("Acme Corp has no credits left", retries=30)
    created = await rows(runtime, "SELECT name, billing_email FROM customers")
    assert [(r.name, r.billing_email) for r in created] == [("Acme Corp", "billing@acme.test")]
    audit = await rows(runtime, "SELECT summary FROM audit_log WHERE action = 'createCustomer'")
    assert [r.summary for r in audit] == [
        "admin@tally.test created the customer Acme Corp (acme) with a wallet"
    ]


async def test_empty_fields_are_named_and_nothing_is_written(
    logged_in: User, runtime: Runtime
) -> None:
    user = logged_in
    await user.open("/console/customers")
    user.find(marker="new-customer").click()
    user.find(marker="new-currency").clear()
    user.find(marker="create-customer").click()
    assert await eventually_error(user, "new-name") == "Enter the customer's name."
    assert error_of(user, "new-external-id") == "Enter the id your product uses, like acme."
    assert error_of(user, "new-currency") == "Enter a currency code, like USD."
    assert await rows(runtime, "SELECT id FROM customers") == []


async def test_a_taken_id_is_shown_next_to_the_field(logged_in: User, runtime: Runtime) -> None:
    await make_customer(runtime, "acme", "Acme Corp")
    user = logged_in
    await user.open("/console/customers")
    user.find(marker="new-customer").click()
    user.find(marker="new-name").type("Another Acme")
    user.find(marker="new-external-id").type("acme")
    user.find(marker="create-customer").click()
    message = await eventually_error(user, "new-external-id")
    assert message is not None and "acme" in message
    assert len(await rows(runtime, "SELECT id FROM customers")) == 1


async def test_search(logged_in: User, runtime: Runtime) -> None:
    await make_customer(runtime, "acme", "Acme Corp", "1500")
    await make_customer(runtime, "globex", "Globex Inc")
    user = logged_in
    await user.open("/console/customers")
    assert [r["name"] for r in table_rows(user, "customers")] == ["Acme Corp", "Globex Inc"]
    assert table_rows(user, "customers")[0]["balance"] == "1,500 credits"
    user.find(marker="search").type("glo").trigger("keydown.enter")
    assert await eventually(lambda: len(table_rows(user, "customers")) == 1)
    assert [r["name"] for r in table_rows(user, "customers")] == ["Globex Inc"]
    user.find(marker="search").clear().type("zzz").trigger("keydown.enter")
    await user.should_see("No customer matches “zzz”", retries=30)


async def test_an_unknown_customer_says_where_to_look(logged_in: User) -> None:
    await logged_in.open("/console/customers/nobody")
    await logged_in.should_see("There is no customer with the id “nobody”", retries=30)
