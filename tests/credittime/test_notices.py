"""Expiry notices and runway alerts end to end: the scheduler's sweeps with the clock moved by
the test, a real SMTP server, a webhook receiver that verifies signatures, the live channel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import START, GraphQLClient
from tests.core.support import burn, create_customer, grant
from tests.credittime.support import RUNWAY, SET_NOTICES, live_notices, sweep_notices
from tests.notifications.support import Mailbox
from tests.webhooks.support import Receiver, create_endpoint
from workers.system import JobSystem

TYPES = ["credits.expiring", "wallet.runway_low"]


@pytest.fixture
async def listening(gql: GraphQLClient, receiver: Receiver) -> Receiver:
    receiver.secret = await create_endpoint(gql, receiver.url, TYPES)
    return receiver


def runway_mails(mailbox: Mailbox) -> list[str]:
    """The runway alerts' subjects (the spend alerts email too)."""
    return [m.subject for m in mailbox.received if "run out" in m.subject]


def events(receiver: Receiver, kind: str) -> list[dict[str, Any]]:
    return [r.event["data"] for r in receiver.verified(kind)]


async def test_an_expiry_notice_goes_once_per_grant_and_lead_time(
    gql: GraphQLClient,
    runtime: Runtime,
    clock: FrozenClock,
    listening: Receiver,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
) -> None:
    wallet_id = await create_customer(gql, "exp", name="Exp", email="billing@exp.test")
    expires = START + timedelta(days=40)
    await grant(gql, wallet_id, "500", "bonus", kind="FREE", expiresAt=expires.isoformat())
    await grant(gql, wallet_id, "1000", "paid", kind="PAID")

    clock.set(START + timedelta(days=9, hours=23))  # 30 days and 1 hour left: not yet
    await sweep_notices(runtime, jobs, database_url)
    assert mailbox.received == []

    clock.set(START + timedelta(days=10, minutes=30))
    await sweep_notices(runtime, jobs, database_url)
    await sweep_notices(runtime, jobs, database_url)  # the next hour's run: nothing new
    [email] = mailbox.received
    assert email.recipients == ["billing@exp.test"]
    assert email.subject == "Exp: 500 credits expire in 30 days"
    assert "500 free credits of Exp expire in 30 days, on 2026-02-24." in email.part("plain")
    [event] = events(listening, "credits.expiring")
    assert (event["credits"], event["days"], event["lead_days"]) == ("500", 30, 30)
    assert (event["grant_id"], event["projected_unused"]) == (1, "500")
    [live] = await live_notices(runtime.db, wallet_id)
    assert live["notice"]["expires_at"] == expires.isoformat()

    clock.set(expires - timedelta(days=7))
    await sweep_notices(runtime, jobs, database_url)
    assert [m.subject for m in mailbox.received][1:] == ["Exp: 500 credits expire in 7 days"]

    clock.set(expires - timedelta(hours=5))  # the 1-day notice says "1 day"
    await sweep_notices(runtime, jobs, database_url)
    assert [e["lead_days"] for e in events(listening, "credits.expiring")] == [30, 7, 1]
    assert mailbox.received[-1].subject == "Exp: 500 credits expire in 1 day"
    assert len(await live_notices(runtime.db, wallet_id)) == 3


async def test_no_notice_for_credits_the_current_pace_uses_first(
    gql: GraphQLClient,
    runtime: Runtime,
    clock: FrozenClock,
    listening: Receiver,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
) -> None:
    wallet_id = await create_customer(gql, "busy", name="Busy", email="billing@busy.test")
    await grant(gql, wallet_id, "5000", "paid", kind="PAID")
    for day in range(1, 8):  # 70 credits a day over the 7-day window
        clock.set(START + timedelta(days=day))
        await burn(runtime, wallet_id, "70")
    soon = clock.now() + timedelta(days=6)
    # Burn order: the 300 (the older grant) first, then the 200; 6 days at 70 a day use 420:
    # the 300, then 120 of the 200 — 80 would be left.
    await grant(gql, wallet_id, "300", "a", kind="FREE", expiresAt=soon.isoformat())
    await grant(gql, wallet_id, "200", "b", kind="FREE", expiresAt=soon.isoformat())
    await sweep_notices(runtime, jobs, database_url)

    [event] = events(listening, "credits.expiring")
    assert (event["grant_id"], event["credits"], event["projected_unused"]) == (3, "200", "80")
    assert (event["days"], event["lead_days"]) == (6, 7)  # 30 and 7 apply: one notice, for 7
    assert [m.subject for m in mailbox.received] == ["Busy: 200 credits expire in 6 days"]
    # Half a day before, nothing used since: 2 burns in the window, 20 a day, 10 more to use.
    # Now the 300 are noticed too (290 would be left), and the 200 for its 1-day lead.
    clock.set(soon - timedelta(hours=12))
    await sweep_notices(runtime, jobs, database_url)
    found = [
        (e["grant_id"], e["lead_days"], e["projected_unused"])
        for e in events(listening, "credits.expiring")
    ]
    assert sorted(found) == [(2, 1, "290"), (3, 1, "200"), (3, 7, "80")]


async def test_the_runway_alert_fires_once_and_re_arms(
    gql: GraphQLClient,
    runtime: Runtime,
    clock: FrozenClock,
    listening: Receiver,
    mailbox: Mailbox,
    jobs: JobSystem,
    database_url: str,
) -> None:
    wallet_id = await create_customer(gql, "run", name="Run", email="billing@run.test")
    await grant(gql, wallet_id, "1000", "paid", kind="PAID")
    for day in range(1, 7):  # 50 a day
        clock.set(START + timedelta(days=day))
        await burn(runtime, wallet_id, "50")
    await sweep_notices(runtime, jobs, database_url)  # 700 left at 300/7 a day: 16 days
    wallet = (await gql(RUNWAY, id=str(wallet_id)))["wallet"]
    assert wallet["runway"] == {
        "dailyBurn": "42.857143",
        "windowDays": 7,
        "days": "16.33",
        "runsOutAt": "2026-02-06T19:59:59+00:00",
        "thresholdDays": 7,
        "low": False,
        "description": "about 16 days at the current pace",
    }
    assert runway_mails(mailbox) == []

    clock.set(START + timedelta(days=7))
    await burn(runtime, wallet_id, "300")  # 400 left; 600 in 7 days: 4.67 days
    await sweep_notices(runtime, jobs, database_url)
    await sweep_notices(runtime, jobs, database_url)  # still low: nothing more
    assert runway_mails(mailbox) == ["Run: at this pace you run out in about 4 days"]
    [event] = events(listening, "wallet.runway_low")
    assert (event["balance"], event["daily_burn"], event["runway_days"]) == (
        "400",
        "85.714286",
        "4.67",
    )
    runway = (await gql(RUNWAY, id=str(wallet_id)))["wallet"]["runway"]
    assert (runway["low"], runway["description"]) == (True, "about 4 days at the current pace")
    [live] = await live_notices(runtime.db, wallet_id)
    assert live["notice"]["message"] == "at this pace you run out in about 4 days"

    await grant(gql, wallet_id, "2000", "top-up", kind="PAID")  # 28 days: re-armed
    await sweep_notices(runtime, jobs, database_url)
    assert (await gql(RUNWAY, id=str(wallet_id)))["wallet"]["runway"]["low"] is False
    await burn(runtime, wallet_id, "2200")  # 200 left, 2,800 in 7 days: under a day
    await sweep_notices(runtime, jobs, database_url)
    assert runway_mails(mailbox)[1:] == ["Run: at this pace you run out in less than a day"]
    assert len(events(listening, "wallet.runway_low")) == 2


async def test_notice_settings_per_wallet_and_bad_input(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    wallet_id = await create_customer(gql, "cfg")

    async def set_(**input: Any) -> Any:
        data = await gql(SET_NOTICES, input={"walletId": str(wallet_id), **input})
        return data["setCreditNotices"]

    done = await set_(expiryLeadDays=[3, 14], runwayThresholdDays=10, runwayWindowDays=30)
    assert done["expiryLeadDays"] == [14, 3]
    assert done["wallet"]["runway"] == {"thresholdDays": 10, "windowDays": 30}
    for bad, field in [
        ({"expiryLeadDays": [0]}, "expiryLeadDays"),
        ({"expiryLeadDays": [7, 7]}, "expiryLeadDays"),
        ({"runwayThresholdDays": 0}, "runwayThresholdDays"),
        ({"runwayWindowDays": 91}, "runwayWindowDays"),
    ]:
        result = await set_(**bad)
        assert (result["__typename"], result["field"]) == ("ValidationError", field), bad
    assert (await set_())["expiryLeadDays"] == [30, 7, 1]  # back to the global setting
