"""The embedded default has no SMTP server: emails are rendered, recorded and shown, not lost."""

from __future__ import annotations

import pytest

from app import announcements
from app.clock import FrozenClock
from app.config import Settings
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import count_rows, create_customer
from tests.notifications.support import Mailbox
from tests.webhooks.support import settle
from workers.system import JobSystem


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"smtp_host": None})


async def test_without_smtp_emails_are_recorded_and_shown(
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    await create_customer(gql, "acme", name="Acme <Corp>", email="billing@acme.test")
    data = {"credits": "5000", "total_minor": 4750, "currency": "USD", "balance": "5950"}
    async with runtime.db.transaction() as session:
        await announcements.notify(session, "recharge_succeeded", "customer", 1, data, clock.now())
    await settle(database_url, jobs, clock)

    result = await gql(
        "{ emails(first: 5) { nodes { to subject status attempts textBody htmlBody } } }"
    )
    [email] = result["emails"]["nodes"]
    assert (email["to"], email["status"], email["attempts"]) == ("billing@acme.test", "RECORDED", 0)
    assert email["subject"] == "Acme <Corp>: 5,000 credits added"
    assert email["textBody"] == (
        "5,000 credits were added to Acme <Corp> for 47.50 USD.\n"
        "The balance is now 5,950 credits.\n"
    )
    assert "Acme &lt;Corp&gt;" in email["htmlBody"] and "<Corp>" not in email["htmlBody"]
    assert mailbox.received == []
    assert await count_rows(runtime.db, "outbox WHERE topic = 'notifications.deliver'") == 0
