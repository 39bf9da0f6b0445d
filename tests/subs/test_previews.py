"""Invoice previews end to end through GraphQL: what the preview says at t is what the invoice
actually issued later says, line for line, when no more usage arrives — at the period's end,
at a termination, at an upgrade — because both run the same line computation. Nothing is
written by a preview; bad dates and switches are typed errors naming the field."""

from __future__ import annotations

from typing import Any

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import invoices, tick
from tests.billing.test_termination import terminate
from tests.conftest import GraphQLClient
from tests.metering.support import subscribe
from tests.payments.support import customer_with_method, rows, settle_all
from tests.subs.support import COMMIT, at, gb_metric, gb_plan, lines, preview, switch, use_gb
from workers.system import JobSystem


async def setup(gql: GraphQLClient) -> str:
    """Growth (50.00 a month, 0.01 a GB, threshold 30.00, a 100.00 spending minimum on GB) and
    Scale (200.00, 0.005 a GB); acme on Growth from 1 Jan 2026, calendar months."""
    await gb_metric(gql)
    await gb_plan(gql, "growth", "50.00", "0.01", thresholds=[{"amount": "30.00"}])
    await gb_plan(gql, "scale", "200.00", "0.005")
    minimum = {"amount": "100.00", "currency": "USD"}
    await gql(
        COMMIT,
        input={
            "planCode": "growth",
            "spendingMinimums": [{"metricCode": "gb_processed", "minimum": minimum}],
        },
    )
    await customer_with_method(gql, "acme")
    return await subscribe(gql, "acme", "growth", anchor=at(2026, 1, 1).isoformat())


def shown(found: dict[str, Any]) -> tuple[list[tuple[str, str]], str]:
    return lines(found), found["total"]["amount"]


async def outbox_size(runtime: Runtime) -> int:
    return int((await rows(runtime.db, "SELECT count(*) FROM outbox"))[0][0])


async def test_the_period_preview_is_the_invoice_issued_at_the_period_end(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    clock.set(at(2026, 1, 1))
    subscription_id = await setup(gql)
    clock.set(at(2026, 1, 10))
    await use_gb(gql, "g", 4000)  # 40.00: crosses 30.00, a threshold invoice of 40.00
    await settle_all(database_url, jobs, clock)
    clock.set(at(2026, 1, 20, 15))
    before = await outbox_size(runtime)
    found = await preview(gql, subscription_id)
    assert found["__typename"] == "InvoicePreview", found
    assert (found["periodStart"], found["periodEnd"], found["effectiveAt"]) == (
        "2026-01-01T00:00:00+00:00",
        "2026-02-01T00:00:00+00:00",
        "2026-02-01T00:00:00+00:00",
    )
    assert shown(found) == (
        [
            ("Growth · base fee · 1 Jan – 1 Feb 2026", "50.00"),
            ("Gb Processed · 4,000 GB · 4,000 × 0.01", "40.00"),
            ("Gb Processed · spending minimum 100.00 · true-up", "60.00"),
            ("Billed by threshold invoices this period", "-40.00"),
        ],
        "110.00",
    )
    assert await outbox_size(runtime) == before  # written nowhere
    assert [i["type"] for i in await invoices(gql)] == ["THRESHOLD"]

    clock.set(at(2026, 2, 1))
    await tick(runtime, database_url, jobs, clock)
    [issued] = await invoices(gql, "PERIOD_END", subscription_id)
    assert (lines(issued), issued["total"]["amount"]) == shown(found)


async def test_a_termination_preview_is_the_final_invoice_of_that_termination(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    clock.set(at(2026, 1, 1))
    subscription_id = await setup(gql)
    clock.set(at(2026, 1, 5))
    await use_gb(gql, "g", 1000)
    clock.set(at(2026, 1, 6))
    found = await preview(gql, subscription_id, at(2026, 1, 11, 12), terminate=True)
    assert shown(found) == (
        [
            ("Growth · base fee · 1 Jan – 11 Jan 2026 · 11 of 31 days (terminated)", "17.74"),
            ("Gb Processed · 1,000 GB · 1,000 × 0.01", "10.00"),
            ("Gb Processed · spending minimum 35.48 · true-up", "25.48"),
        ],
        "53.22",
    )
    clock.set(at(2026, 1, 11, 12))
    await terminate(gql, subscription_id)
    [final] = await invoices(gql, "PERIOD_END", subscription_id)
    assert (lines(final), final["total"]["amount"]) == shown(found)


async def test_an_upgrade_preview_is_the_invoice_the_switch_issues(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    clock.set(at(2026, 1, 1))
    subscription_id = await setup(gql)
    clock.set(at(2026, 1, 5))
    await use_gb(gql, "g", 2000)
    found = await preview(gql, subscription_id, at(2026, 1, 15, 12), change="scale")
    assert found["upgrade"] is True
    assert shown(found) == (
        [
            ("Growth · base fee · 1 Jan – 15 Jan 2026 · 14 of 31 days (plan switched)", "22.58"),
            ("Gb Processed · 2,000 GB · 2,000 × 0.01", "20.00"),
            ("Gb Processed · spending minimum 45.16 · true-up", "25.16"),
        ],
        "67.74",
    )
    clock.set(at(2026, 1, 15, 12))
    assert (await switch(gql, subscription_id, "scale"))["__typename"] == "SubscriptionPayload"
    [final] = await invoices(gql, "PERIOD_END", subscription_id)
    assert (lines(final), final["total"]["amount"]) == shown(found)


async def test_bad_previews_are_typed_errors_naming_the_field(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    clock.set(at(2026, 1, 10, 12))
    subscription_id = await setup(gql)  # started 10 Jan 12:00 in the 1 Jan – 1 Feb period
    await gb_plan(gql, "euro", "300.00", "0.01", currency="EUR")
    cases: list[tuple[dict[str, Any], str, str, str]] = [
        ({"when": at(2026, 2, 1)}, "ValidationError", "at", "outside_period"),
        ({"when": at(2026, 1, 10, 11)}, "ValidationError", "at", "before_start"),
        ({"change": "growth"}, "ValidationError", "change.planCode", "same_plan"),
        ({"change": "euro"}, "ValidationError", "change.planCode", "currency_mismatch"),
        ({"change": "nope"}, "NotFoundError", "change.planCode", "not_found"),
        (
            {"change": "scale", "terminate": True},
            "ValidationError",
            "terminate",
            "invalid",
        ),
    ]
    for given, kind, field, code in cases:
        found = await preview(gql, subscription_id, **given)
        assert (found["__typename"], found["field"], found["code"]) == (kind, field, code)
    missing = await preview(gql, "424242")
    assert (missing["__typename"], missing["field"]) == ("NotFoundError", "subscriptionId")
    await terminate(gql, subscription_id)
    ended = await preview(gql, subscription_id)
    assert (ended["field"], ended["code"]) == ("subscriptionId", "terminated")
