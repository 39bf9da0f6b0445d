"""S3 and S4 end to end: the defaults fire once per crossing — one email to the billing
address (a real SMTP server), one signed alert.triggered webhook (a real receiver that verifies
it) and one live message — and re-arm at the new levels after credits are added."""

from __future__ import annotations

from typing import Any

import pytest

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.alerts.support import ALERT_FIRINGS, levels, live_alerts, thresholds
from tests.conftest import GraphQLClient
from tests.core.support import burn, create_customer, grant
from tests.notifications.support import Mailbox
from tests.webhooks.support import Receiver, create_endpoint, settle
from workers.system import JobSystem

BILLING = "billing@acme.test"


@pytest.fixture
async def acme(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> int:
    """S3's start: acme bought 6,000 credits (the reference balance) and used 800 of them
    (S1), so the balance is 5,200; a webhook endpoint listens."""
    receiver.secret = await create_endpoint(
        gql, receiver.url, ["alert.triggered", "wallet.depleted"]
    )
    wallet_id = await create_customer(gql, "acme", name="Acme", email=BILLING)
    assert (await grant(gql, wallet_id, "6000", "s1-topup"))["__typename"] == "LedgerEntryPayload"
    await burn(runtime, wallet_id, "800", "S1 usage")
    await settle(database_url, jobs, clock)
    return wallet_id


async def step(runtime: Runtime, wallet_id: int, credits: str, database_url: str, jobs: JobSystem):
    await burn(runtime, wallet_id, credits)
    await settle(database_url, jobs, runtime.clock)  # type: ignore[arg-type]


def alert_events(receiver: Receiver) -> list[dict[str, Any]]:
    return [r.event for r in receiver.verified("alert.triggered")]


async def test_s3_each_default_fires_once_per_crossing(
    acme: int,
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
) -> None:
    before = await thresholds(gql, acme)
    assert before["usesDefaults"] is True
    assert levels(before) == [
        ("50 %", "3000", True),
        ("25 %", "1500", True),
        ("10 %", "600", True),
        ("depleted", "0", True),
    ]

    await step(runtime, acme, "2300", database_url, jobs)  # balance 2,900
    [first] = mailbox.received
    assert first.recipients == [BILLING]
    assert first.subject == "Acme: 2,900 credits left (50 % alert)"
    assert (
        "Acme has 2,900 credits left (≈ 29.00 USD) — under 3,000 credits, your alert at 50 % "
        "of 6,000 credits (the balance right after your latest credit: a top-up, grant or "
        "auto-recharge)." in first.part("plain")
    )
    assert "2,900 credits left (≈ 29.00 USD)" in first.part("html")
    [event] = alert_events(receiver)
    assert event["type"] == "alert.triggered" and event["id"].startswith("evt_")
    assert set(event) == {"id", "type", "created_at", "data"}
    assert event["data"]["kind"] == "percent"
    assert event["data"]["threshold"] == "50"
    assert (event["data"]["level"], event["data"]["balance"]) == ("3000", "2900")
    assert event["data"]["customer_external_id"] == "acme"
    [live] = await live_alerts(runtime.db, acme)
    assert live["alert"]["threshold"] == "50" and live["alert"]["balance"] == "2900"

    await step(runtime, acme, "100", database_url, jobs)  # 2,800: nothing new
    assert len(mailbox.received) == 1
    assert len(alert_events(receiver)) == 1
    assert len(await live_alerts(runtime.db, acme)) == 1

    await step(runtime, acme, "1450", database_url, jobs)  # 1,350: the 25 % alert
    assert [m.subject for m in mailbox.received] == [
        "Acme: 2,900 credits left (50 % alert)",
        "Acme: 1,350 credits left (25 % alert)",
    ]
    assert [e["data"]["threshold"] for e in alert_events(receiver)] == ["50", "25"]
    assert [m["alert"]["threshold"] for m in await live_alerts(runtime.db, acme)] == ["50", "25"]
    assert all(r.verified for r in receiver.requests)

    after = await thresholds(gql, acme)
    assert levels(after) == [
        ("50 %", "3000", False),
        ("25 %", "1500", False),
        ("10 %", "600", True),
        ("depleted", "0", True),
    ]
    firings = (await gql(ALERT_FIRINGS, wallet=str(acme), first=10))["alertFirings"]["nodes"]
    assert [(f["label"], f["balance"], f["level"]) for f in firings] == [
        ("25 %", "1350", "1500"),
        ("50 %", "2900", "3000"),
    ]
    assert all(f["notifiedAt"] is not None for f in firings)


async def test_s4_a_credit_re_arms_the_alerts_at_the_new_reference(
    acme: int,
    gql: GraphQLClient,
    runtime: Runtime,
    mailbox: Mailbox,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    await step(runtime, acme, "3850", database_url, jobs)  # 1,350: 50 % and 25 % fired at once
    assert sorted(e["data"]["threshold"] for e in alert_events(receiver)) == ["25", "50"]
    assert [m.subject for m in mailbox.received] == ["Acme: 1,350 credits left (25 % alert)"]

    await grant(gql, acme, "4600", "recharge")  # balance and reference 5,950 (S4)
    await settle(database_url, jobs, clock)
    rearmed = await thresholds(gql, acme)
    assert rearmed["referenceBalance"] == "5950"
    assert levels(rearmed) == [
        ("50 %", "2975", True),
        ("25 %", "1487.5", True),
        ("10 %", "595", True),
        ("depleted", "0", True),
    ]

    await step(runtime, acme, "2975", database_url, jobs)  # 2,975 is not below 2,975
    assert len(alert_events(receiver)) == 2
    await step(runtime, acme, "0.000001", database_url, jobs)  # now it is
    assert [e["data"]["level"] for e in alert_events(receiver)][-1] == "2975"
    assert mailbox.received[-1].subject == "Acme: 2,974.999999 credits left (50 % alert)"
    assert len(mailbox.received) == 2


async def test_running_out_sends_the_depleted_alert(
    acme: int,
    runtime: Runtime,
    mailbox: Mailbox,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
) -> None:
    await step(runtime, acme, "5210", database_url, jobs)  # -10: every threshold at once
    [email] = mailbox.received  # one email, about the most severe
    assert email.subject == "Acme has run out of credits"
    assert "the balance is -10 credits (≈ -0.10 USD)" in email.part("plain")
    assert "billed later" in email.part("plain")  # the wallet's policy is "allow"
    assert sorted((e["data"]["kind"], e["data"]["threshold"]) for e in alert_events(receiver)) == [
        ("depleted", "0"),
        ("percent", "10"),
        ("percent", "25"),
        ("percent", "50"),
    ]
    [depleted] = [r.event for r in receiver.verified("wallet.depleted")]
    assert depleted["data"]["balance"] == "-10"
    assert len(await live_alerts(runtime.db, acme)) == 4

    await step(runtime, acme, "5", database_url, jobs)  # deeper in debt: nothing new
    assert len(mailbox.received) == 1 and len(receiver.requests) == 5
