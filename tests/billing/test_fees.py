"""Time-exact subscription fees, end to end through GraphQL with the clock moved by the test.

The rule (README, Pricing): a subscription's first period runs from its start to the next anchor
date; the base fee of a period is fee × (days the subscription was live in it) / (days of the
whole period), rounded half-up once to the minor unit. The days are the period's own 24-hour
days, counted from its start (the anchor's time of day, UTC); a day the subscription was live in
for any moment counts whole, as Lago counts them. Billed at the period's end and at termination.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import amounts, create_plan, invoices, subscription, tick
from tests.billing.test_termination import terminate
from tests.conftest import GraphQLClient
from tests.metering.support import subscribe
from tests.payments.support import customer_with_method, jobs_for, settle_all
from workers.system import JobSystem


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


async def basic(gql: GraphQLClient, fee: str, interval: str = "MONTHLY") -> None:
    """A plan that bills only its base fee, and acme (a sandbox card on file)."""
    await create_plan(gql, code="basic", name="Basic", baseFee=fee, interval=interval)
    await customer_with_method(gql, "acme")


async def start(gql: GraphQLClient, anchor: datetime | None) -> str:
    extra = {"anchor": anchor.isoformat()} if anchor is not None else {}
    return await subscribe(gql, "acme", "basic", **extra)


def fee_line(invoice: dict[str, Any]) -> dict[str, Any]:
    [line] = invoice["lines"]
    return dict(line)


@dataclass(frozen=True)
class Ended:
    started: datetime
    anchor: datetime | None  # None: the start (anniversary)
    terminated: datetime
    fee: str
    amount: str
    words: str


TERMINATIONS = {
    # The defect of issue #20: started 25 days into a 30-day period (anchored on the 12th),
    # terminated 3 seconds later. It was billed 25.50 for "12 Nov – 7 Dec · 25.5 of 30 days".
    "three_seconds_after_a_mid_period_start": Ended(
        at(2026, 12, 7, 12),
        at(2026, 12, 12),
        at(2026, 12, 7, 12, 0, 3),
        "30.00",
        "1.00",
        "7 Dec 2026 · 1 of 30 days (terminated)",
    ),
    # One hour into the 11th day of a 31-day period: 11 days.
    "mid_period_part_of_a_day": Ended(
        at(2026, 1, 15, 12),
        None,
        at(2026, 1, 25, 13),
        "31.00",
        "11.00",
        "15 Jan – 25 Jan 2026 · 11 of 31 days (terminated)",
    ),
    # Lago's Premium plan (50.00 a month, calendar months) started on 10 August, terminated
    # on 20 August at the same hour: 11 of 31 days = 17.741… → 17.74.
    "calendar_month_rounded_once": Ended(
        at(2026, 8, 10, 9, 30),
        at(2026, 9, 1),
        at(2026, 8, 20, 9, 30),
        "50.00",
        "17.74",
        "10 Aug – 20 Aug 2026 · 11 of 31 days (terminated)",
    ),
    # Anchored on the 31st: the first period ends on 28 February (28 days).
    "february_of_28_days": Ended(
        at(2026, 1, 31),
        None,
        at(2026, 2, 14),
        "28.00",
        "14.00",
        "31 Jan – 14 Feb 2026 · 14 of 28 days (terminated)",
    ),
    # A leap year: 31 Jan – 29 Feb 2028 has 29 days; six hours into the 15th.
    "february_of_29_days": Ended(
        at(2028, 1, 31),
        None,
        at(2028, 2, 14, 6),
        "29.00",
        "15.00",
        "31 Jan – 14 Feb 2028 · 15 of 29 days (terminated)",
    ),
    # Started at 23:59 UTC in a calendar month, terminated two minutes later: two days.
    "a_start_at_23_59_on_calendar_months": Ended(
        at(2026, 1, 14, 23, 59),
        at(2026, 2, 1),
        at(2026, 1, 15, 0, 1),
        "31.00",
        "2.00",
        "14 Jan – 15 Jan 2026 · 2 of 31 days (terminated)",
    ),
    # Anniversary at 23:59: the period's days run 23:59 to 23:59, so one minute into the
    # second period (28 Feb 23:59 – 31 Mar 23:59, 31 days) is one day of it.
    "a_start_at_23_59_on_its_anniversary": Ended(
        at(2026, 1, 31, 23, 59),
        None,
        at(2026, 3, 1, 0, 0),
        "31.00",
        "1.00",
        "28 Feb – 1 Mar 2026 · 1 of 31 days (terminated)",
    ),
}


@pytest.mark.parametrize("case", TERMINATIONS.values(), ids=TERMINATIONS.keys())
async def test_termination_bills_the_days_the_subscription_ran(
    case: Ended,
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    clock.set(case.started)
    await basic(gql, case.fee)
    subscription_id = await start(gql, case.anchor)
    clock.set(case.terminated)
    await terminate(gql, subscription_id)

    [final] = await invoices(gql, "PERIOD_END", subscription_id)  # issued by the mutation
    assert amounts(final) == [case.amount]
    line = fee_line(final)
    assert line["description"] == f"Basic · base fee · {case.words}"
    assert Decimal(line["unitPrice"]) == Decimal(case.fee)
    assert datetime.fromisoformat(final["periodEnd"]) == case.terminated
    await settle_all(database_url, jobs, clock)
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    [ended] = [e["data"] for e in emitted if e["type"] == "subscription.terminated"]
    assert ended["final_invoice"]["total"] == case.amount


async def test_the_first_period_starts_with_the_subscription(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    clock.set(at(2026, 12, 7, 12))
    await basic(gql, "30.00")
    subscription_id = await start(gql, at(2026, 12, 12))
    found = await subscription(gql, subscription_id)
    assert (found["currentPeriodStart"], found["currentPeriodEnd"]) == (
        "2026-12-07T12:00:00+00:00",
        "2026-12-12T00:00:00+00:00",
    )
    assert found["billingPeriod"]["periodStart"] == "2026-12-07T12:00:00+00:00"
    clock.set(at(2026, 12, 12, 0, 0, 1))
    found = await subscription(gql, subscription_id)
    assert found["currentPeriodStart"] == "2026-12-12T00:00:00+00:00"
    assert found["currentPeriodEnd"] == "2027-01-12T00:00:00+00:00"


@dataclass(frozen=True)
class Periods:
    started: datetime
    anchor: datetime | None
    fee: str
    bills: list[tuple[str, str, str]]  # (period start, amount, words) at each period end


PERIOD_ENDS = {
    # Lago's example: 50.00 a month on calendar months, started on 10 August: the first
    # invoice bills 22 of 31 days = 35.483… → 35.48; the next months are billed whole.
    "calendar_months_from_the_10th": Periods(
        at(2026, 8, 10, 9, 30),
        at(2026, 9, 1),
        "50.00",
        [
            ("2026-08-10T09:30:00+00:00", "35.48", "10 Aug – 1 Sep 2026 · 22 of 31 days"),
            ("2026-09-01T00:00:00+00:00", "50.00", "1 Sep – 1 Oct 2026"),
        ],
    ),
    # The example: anchored on the 12th, started on 7 December (day 26 of 30).
    "anchored_later_in_the_month": Periods(
        at(2026, 12, 7, 12),
        at(2026, 12, 12),
        "30.00",
        [
            ("2026-12-07T12:00:00+00:00", "5.00", "7 Dec – 12 Dec 2026 · 5 of 30 days"),
            ("2026-12-12T00:00:00+00:00", "30.00", "12 Dec 2026 – 12 Jan 2027"),
        ],
    ),
    # Started a minute before the anchor: that minute's day (of 31), then February whole.
    "a_start_at_23_59_before_the_anchor": Periods(
        at(2026, 1, 31, 23, 59),
        at(2026, 2, 1),
        "31.00",
        [
            ("2026-01-31T23:59:00+00:00", "1.00", "31 Jan – 1 Feb 2026 · 1 of 31 days"),
            ("2026-02-01T00:00:00+00:00", "31.00", "1 Feb – 1 Mar 2026"),
        ],
    ),
    # The anniversary (no anchor given): every period whole, whatever the month's length.
    "anniversary_on_the_31st": Periods(
        at(2026, 1, 31, 8),
        None,
        "28.00",
        [
            ("2026-01-31T08:00:00+00:00", "28.00", "31 Jan – 28 Feb 2026"),
            ("2026-02-28T08:00:00+00:00", "28.00", "28 Feb – 31 Mar 2026"),
            ("2026-03-31T08:00:00+00:00", "28.00", "31 Mar – 30 Apr 2026"),
        ],
    ),
    # An anchor in the past: the period running at the start is 31 Dec – 31 Jan; the
    # subscription ran on 16 of its days (15 Jan to 30 Jan).
    "an_anchor_a_year_back": Periods(
        at(2026, 1, 15, 12),
        at(2025, 1, 31),
        "31.00",
        [
            ("2026-01-15T12:00:00+00:00", "16.00", "15 Jan – 31 Jan 2026 · 16 of 31 days"),
            ("2026-01-31T00:00:00+00:00", "31.00", "31 Jan – 28 Feb 2026"),
        ],
    ),
}


@pytest.mark.parametrize("case", PERIOD_ENDS.values(), ids=PERIOD_ENDS.keys())
async def test_period_ends_bill_the_first_period_prorated_then_whole_periods(
    case: Periods,
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    clock.set(case.started)
    await basic(gql, case.fee)
    subscription_id = await start(gql, case.anchor)
    for _ in case.bills:
        found = await subscription(gql, subscription_id)
        clock.set(datetime.fromisoformat(found["currentPeriodEnd"]))
        await tick(runtime, database_url, jobs, clock)
    billed = await invoices(gql, "PERIOD_END", subscription_id)
    assert [(i["periodStart"], i["total"]["amount"]) for i in billed] == [
        (period_start, amount) for period_start, amount, _ in case.bills
    ]
    assert [fee_line(i)["description"] for i in billed] == [
        f"Basic · base fee · {words}" for _, _, words in case.bills
    ]
    assert {i["status"] for i in billed} == {"PAID"}


async def test_a_yearly_plan_started_mid_year_on_calendar_years(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    """Started 15 Jan 2026 12:00 on years from 1 January: 351 of 365 days (15 Jan – 31 Dec)
    of 1,200.00 = 1,153.972… → 1,153.97; then 2027 whole."""
    await basic(gql, "1200", "YEARLY")
    subscription_id = await start(gql, at(2026, 1, 1))
    for moment in (at(2027, 1, 1), at(2028, 1, 1)):
        clock.set(moment)
        await tick(runtime, database_url, jobs, clock)
    first, second = await invoices(gql, "PERIOD_END", subscription_id)
    assert (first["periodStart"], first["periodEnd"]) == (
        "2026-01-15T12:00:00+00:00",
        "2027-01-01T00:00:00+00:00",
    )
    assert amounts(first) == ["1153.97"]
    assert fee_line(first)["description"] == (
        "Basic · base fee · 15 Jan 2026 – 1 Jan 2027 · 351 of 365 days"
    )
    assert (second["periodStart"], amounts(second)) == ("2027-01-01T00:00:00+00:00", ["1200.00"])


async def test_terminating_the_moment_it_started_bills_nothing(
    gql: GraphQLClient, runtime: Runtime, clock: FrozenClock
) -> None:
    await basic(gql, "30.00")
    subscription_id = await start(gql, at(2026, 2, 1))
    await terminate(gql, subscription_id)
    assert await invoices(gql) == []
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    [ended] = [e["data"] for e in emitted if e["type"] == "subscription.terminated"]
    assert ended["final_invoice"] is None


def test_a_whole_period_is_the_whole_fee() -> None:
    """Pure: the days of a period and the share of a span of it."""
    from app.billing.proration import Share, share

    full = (at(2026, 1, 15, 12), at(2026, 2, 15, 12))
    assert share(*full, *full) == Share(31, 31)
    assert share(*full, at(2026, 1, 15, 12), at(2026, 1, 15, 12)) == Share(0, 31)
    assert share(*full, at(2026, 2, 15, 11, 59), at(2026, 2, 15, 12)) == Share(1, 31)
    assert share(*full, at(2026, 1, 16, 11, 59), at(2026, 1, 16, 12, 1)) == Share(2, 31)
    assert share(*full, at(2026, 1, 16, 12), at(2026, 1, 17, 12)) == Share(1, 31)
    assert timedelta(days=share(*full, *full).days) == full[1] - full[0]
