"""Quarterly and semiannual billing intervals: the anchor moved by 3 or 6 months, the day
clamped to short months, billed at each period end through the scheduler (clock moved)."""

from __future__ import annotations

from datetime import UTC, datetime

from app.clock import FrozenClock
from app.plans.models import BillingInterval
from app.plans.periods import billing_period, period_containing
from app.runtime import Runtime
from tests.billing.support import create_plan, invoices, subscription, tick
from tests.conftest import GraphQLClient
from tests.metering.support import subscribe
from tests.payments.support import customer_with_method
from workers.system import JobSystem


def at(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def test_quarters_from_the_30th_of_november_clamp_to_february_then_return() -> None:
    anchor = at(2026, 11, 30, 8)
    q = BillingInterval.QUARTERLY
    assert period_containing(anchor, q, at(2027, 1, 15)).end == at(2027, 2, 28, 8)
    following = period_containing(anchor, q, at(2027, 3, 1))
    assert (following.start, following.end) == (at(2027, 2, 28, 8), at(2027, 5, 30, 8))
    assert period_containing(anchor, q, at(2027, 6, 1)).end == at(2027, 8, 30, 8)
    # a moment before the anchor: the quarter that ends at it
    assert period_containing(anchor, q, at(2026, 10, 1)).start == at(2026, 8, 30, 8)


def test_half_years_from_the_31st_of_august_land_on_28_february_and_29_in_leap_years() -> None:
    anchor = at(2026, 8, 31)
    s = BillingInterval.SEMIANNUAL
    assert period_containing(anchor, s, at(2026, 12, 1)).end == at(2027, 2, 28)
    assert period_containing(anchor, s, at(2027, 3, 1)).end == at(2027, 8, 31)
    assert period_containing(anchor, s, at(2028, 1, 1)).end == at(2028, 2, 29)
    first = billing_period(at(2026, 1, 1), at(2026, 5, 10), s, at(2026, 5, 10))
    assert (first.start, first.end) == (at(2026, 5, 10), at(2026, 7, 1))


async def test_quarterly_plan_bills_each_quarter_across_month_ends(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """90.00 a quarter, anniversary on 30 November: 30 Nov – 28 Feb (90 days, whole), then
    28 Feb – 30 May whole, though the two quarters have different lengths."""
    clock.set(at(2026, 11, 30, 8))
    plan = await create_plan(
        gql, code="quarter", name="Quarter", baseFee="90.00", interval="QUARTERLY"
    )
    assert plan["code"] == "quarter"
    await customer_with_method(gql, "acme")
    subscription_id = await subscribe(gql, "acme", "quarter")
    found = await subscription(gql, subscription_id)
    assert found["currentPeriodEnd"] == "2027-02-28T08:00:00+00:00"
    for _ in range(2):
        found = await subscription(gql, subscription_id)
        clock.set(datetime.fromisoformat(found["currentPeriodEnd"]))
        await tick(runtime, database_url, jobs, clock)
    billed = await invoices(gql, "PERIOD_END", subscription_id)
    assert [(i["periodStart"], i["periodEnd"], i["total"]["amount"]) for i in billed] == [
        ("2026-11-30T08:00:00+00:00", "2027-02-28T08:00:00+00:00", "90.00"),
        ("2027-02-28T08:00:00+00:00", "2027-05-30T08:00:00+00:00", "90.00"),
    ]
    assert [line["description"] for i in billed for line in i["lines"]] == [
        "Quarter · base fee · 30 Nov 2026 – 28 Feb 2027",
        "Quarter · base fee · 28 Feb – 30 May 2027",
    ]


async def test_semiannual_first_period_is_prorated_by_days(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """181.00 every six months anchored on 1 January; started on 1 May: 61 of 181 days
    (1 Jan – 1 Jul 2026) → 61.00."""
    clock.set(at(2026, 5, 1, 10))
    await create_plan(gql, code="half", name="Half", baseFee="181.00", interval="SEMIANNUAL")
    await customer_with_method(gql, "acme")
    subscription_id = await subscribe(gql, "acme", "half", anchor=at(2026, 1, 1).isoformat())
    clock.set(at(2026, 7, 1))
    await tick(runtime, database_url, jobs, clock)
    [bill] = await invoices(gql, "PERIOD_END", subscription_id)
    assert bill["total"]["amount"] == "61.00"
    words = "Half · base fee · 1 May – 1 Jul 2026 · 61 of 181 days"
    assert bill["lines"][0]["description"] == words
