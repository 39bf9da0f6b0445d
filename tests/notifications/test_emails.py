"""Emails through a real SMTP server: the documented ``notifications.send`` job (as
``app.announcements.notify`` writes it), retries with backoff on refusal, and the record of each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app import announcements
from app.clock import FrozenClock
from app.notifications.service import RETRY_DELAYS
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import create_customer
from tests.notifications.support import Mailbox
from tests.webhooks.support import settle
from workers.system import JobSystem

EMAILS = """
query($first: Int!, $after: String, $customer: String) {
  emails(first: $first, after: $after, customerExternalId: $customer) {
    nodes { id to subject template status attempts lastError nextAttemptAt sentAt
            textBody htmlBody customer { externalId } }
    pageInfo { hasNextPage endCursor }
  }
}"""

INVOICE = {"number": "TLY-000042", "total_minor": 4750, "currency": "USD"}


async def emails(gql: GraphQLClient, first: int = 50, **variables: Any) -> list[dict[str, Any]]:
    data = await gql(EMAILS, first=first, **variables)
    nodes: list[dict[str, Any]] = data["emails"]["nodes"]
    return nodes


async def customer_id(gql: GraphQLClient, runtime: Runtime, external_id: str, **kw: Any) -> int:
    from app.customers import repository

    await create_customer(gql, external_id, name=external_id.title(), **kw)
    async with runtime.db.transaction() as session:
        found = await repository.by_external_id(session, external_id)
        assert found is not None and found.id is not None
        return found.id


async def notify(runtime: Runtime, template: str, to: Any, customer: int, data: dict[str, Any]):
    async with runtime.db.transaction() as session:
        await announcements.notify(session, template, to, customer, data, runtime.clock.now())


@pytest.fixture
async def acme(gql: GraphQLClient, runtime: Runtime) -> int:
    return await customer_id(gql, runtime, "acme", email="billing@acme.test")


async def test_a_refusal_is_retried_later_and_the_status_says_why(
    acme: int,
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    mailbox.refusals = ["451 4.3.0 Mailbox busy, try again later"]
    await notify(runtime, "invoice_created", "customer", acme, INVOICE)
    await settle(database_url, jobs, clock)

    assert mailbox.received == []
    [waiting] = await emails(gql)
    assert waiting["status"] == "QUEUED" and waiting["attempts"] == 1
    assert "451" in waiting["lastError"] and "Mailbox busy" in waiting["lastError"]
    retry_at = clock.now() + RETRY_DELAYS[0]
    assert waiting["nextAttemptAt"] == retry_at.isoformat()

    clock.advance(RETRY_DELAYS[0] - timedelta(seconds=1))
    await settle(database_url, jobs, clock)
    assert mailbox.received == []  # not due yet

    clock.advance(timedelta(seconds=1))
    await settle(database_url, jobs, clock)
    [message] = mailbox.received
    assert message.recipients == ["billing@acme.test"]
    assert message.subject == "Invoice TLY-000042: 47.50 USD"
    assert "Invoice TLY-000042 for Acme is ready: 47.50 USD." in message.part("plain")
    [sent] = await emails(gql)
    assert (sent["status"], sent["attempts"], sent["sentAt"]) == (
        "SENT",
        2,
        clock.now().isoformat(),
    )
    assert sent["nextAttemptAt"] is None and "451" in sent["lastError"]  # why it took two


async def test_a_lasting_refusal_fails_at_once(
    acme: int,
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    mailbox.refusals = ["550 5.1.1 No such mailbox"]
    await notify(runtime, "payment_failed", "customer", acme, INVOICE)
    await settle(database_url, jobs, clock)
    [failed] = await emails(gql)
    assert (failed["status"], failed["attempts"]) == ("FAILED", 1)
    assert failed["lastError"].startswith("SMTP 550") and failed["nextAttemptAt"] is None


async def test_it_gives_up_after_the_last_attempt(
    acme: int,
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    mailbox.refusals = ["421 4.7.0 Try again later"] * 10
    await notify(runtime, "recharge_disabled", "customer", acme, {"failures": 3})
    await settle(database_url, jobs, clock)
    for delay in RETRY_DELAYS:
        clock.advance(delay)
        await settle(database_url, jobs, clock)
    [failed] = await emails(gql)
    assert (failed["status"], failed["attempts"]) == ("FAILED", len(RETRY_DELAYS) + 1)
    assert mailbox.received == [] and len(mailbox.refusals) == 10 - len(RETRY_DELAYS) - 1


async def test_operators_and_plain_addresses(
    acme: int,
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    await notify(runtime, "recharge_disabled", "operators", acme, {"failures": 3, "reason": "x"})
    await notify(runtime, "invoice_created", "finance@acme.test", acme, INVOICE)  # type: ignore[arg-type]
    await settle(database_url, jobs, clock)
    assert sorted(r for m in mailbox.received for r in m.recipients) == [
        "finance@acme.test",
        "finance@tally.test",
        "ops@tally.test",
    ]
    [operator] = mailbox.to("ops@tally.test")
    assert operator.subject == "Auto-recharge turned off for Acme"
    assert "after 3 failed payments in a row" in operator.part("plain")


async def test_what_cannot_be_sent_is_recorded_as_failed_with_the_reason(
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    nobody = await customer_id(gql, runtime, "nomail")
    await notify(runtime, "invoice_created", "customer", nobody, INVOICE)
    await notify(runtime, "invoice_created", "customer", nobody, {"number": "TLY-1"})
    await notify(runtime, "no_such_template", "customer", nobody, {})
    await settle(database_url, jobs, clock)
    assert mailbox.received == []
    reasons = {(e["template"], e["status"], e["lastError"]) for e in await emails(gql)}
    assert reasons == {
        ("invoice_created", "FAILED", "nomail has no billing email"),
        ("invoice_created", "FAILED", "data.total_minor: the invoice_created email needs it"),
        ("no_such_template", "FAILED", "template: no email template 'no_such_template'"),
    }


async def test_a_repeated_key_adds_no_email(
    acme: int,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    payload = {
        "template": "invoice_created",
        "to": "customer",
        "customer_id": acme,
        "data": INVOICE,
        "key": "invoice.created:42",
    }
    from app import outbox

    for _ in range(2):
        async with runtime.db.transaction() as session:
            await outbox.enqueue(session, "notifications.send", payload, clock.now())
    await settle(database_url, jobs, clock)
    assert len(mailbox.received) == 1


async def test_the_list_pages_and_filters_by_customer(
    acme: int,
    gql: GraphQLClient,
    runtime: Runtime,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    other = await customer_id(gql, runtime, "globex", email="ap@globex.test")
    for n in range(3):
        await notify(runtime, "invoice_created", "customer", acme, {**INVOICE, "number": f"A{n}"})
    await notify(runtime, "invoice_created", "customer", other, INVOICE)
    await settle(database_url, jobs, clock)

    data = await gql(EMAILS, first=2, customer="acme")
    page = data["emails"]
    assert page["pageInfo"]["hasNextPage"] is True
    rest = await emails(gql, first=2, customer="acme", after=page["pageInfo"]["endCursor"])
    seen = [*page["nodes"], *rest]
    assert sorted(n["subject"][:10] for n in seen) == ["Invoice A0", "Invoice A1", "Invoice A2"]
    assert [int(n["id"]) for n in seen] == sorted((int(n["id"]) for n in seen), reverse=True)
    assert {n["customer"]["externalId"] for n in await emails(gql)} == {"acme", "globex"}
    assert await emails(gql, customer="nobody") == []
