"""Minimum commitments end to end through GraphQL, the clock moved by the test.

Rules (README, Pricing): a money charge's spending minimum and the plan's minimum commitment
bill a true-up line at the period's end for what the period billed below them — the charge's
amount for a spending minimum; the base fee, every charge and the charges' true-ups for the
commitment — each prorated by the base fee's days (a first period, a termination, a switch).

Lago's spending minimum example: 0.01 per tracked user, a 100.00 minimum, 50.00 of usage → a
50.00 true-up.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import create_plan, invoices, tick
from tests.billing.test_termination import terminate
from tests.conftest import GraphQLClient
from tests.metering.support import create_metric, subscribe
from tests.payments.support import customer_with_method
from tests.subs.support import COMMIT, at, gb_metric, gb_plan, lines, use_gb
from workers.system import JobSystem


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


async def commit(gql: GraphQLClient, **given: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await gql(COMMIT, input={"planCode": "growth", **given}))[
        "setPlanCommitments"
    ]
    return result


async def growth(gql: GraphQLClient) -> str:
    """Growth: 50.00 a month, 0.01 a GB, a 100.00 spending minimum on GB, a 300.00 minimum
    commitment; acme on it from 1 Jan 2026 on calendar months."""
    await gb_metric(gql)
    await gb_plan(gql, "growth", "50.00", "0.01")
    payload = await commit(
        gql,
        commitment=usd("300.00"),
        spendingMinimums=[{"metricCode": "gb_processed", "minimum": usd("100.00")}],
    )
    assert payload["plan"] == {
        "code": "growth",
        "commitment": {"amount": "300.00", "currency": "USD"},
        "spendingMinimums": [
            {"metricCode": "gb_processed", "minimum": {"amount": "100.00", "currency": "USD"}}
        ],
    }
    await customer_with_method(gql, "acme")
    return await subscribe(gql, "acme", "growth", anchor=at(2026, 1, 1).isoformat())


async def test_true_ups_at_the_period_end(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    clock.set(at(2026, 1, 1))
    subscription_id = await growth(gql)
    clock.set(at(2026, 1, 12))
    await use_gb(gql, "g", 5000)  # 50.00 of usage, below the 100.00 minimum
    clock.set(at(2026, 2, 1))
    await tick(runtime, database_url, jobs, clock)
    [bill] = await invoices(gql, "PERIOD_END", subscription_id)
    assert lines(bill) == [
        ("Growth · base fee · 1 Jan – 1 Feb 2026", "50.00"),
        ("Gb Processed · 5,000 GB · 5,000 × 0.01", "50.00"),
        ("Gb Processed · spending minimum 100.00 · true-up", "50.00"),
        ("Growth · minimum commitment 300.00 · true-up", "150.00"),
    ]
    assert bill["total"]["amount"] == "300.00"

    clock.set(at(2026, 2, 5))
    await use_gb(gql, "h", 40000)  # 400.00: above both, no true-up
    clock.set(at(2026, 3, 1))
    await tick(runtime, database_url, jobs, clock)
    [_, second] = await invoices(gql, "PERIOD_END", subscription_id)
    assert lines(second) == [
        ("Growth · base fee · 1 Feb – 1 Mar 2026", "50.00"),
        ("Gb Processed · 40,000 GB · 40,000 × 0.01", "400.00"),
    ]


async def test_true_ups_at_termination_are_prorated_by_the_days(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    """Terminated on 11 Jan: 11 of 31 days. Base fee 50 × 11/31 = 17.74; 1,000 GB = 10.00;
    spending minimum 100 × 11/31 = 35.48 → true-up 25.48; commitment 300 × 11/31 = 106.45,
    billed 17.74 + 10.00 + 25.48 = 53.22 → true-up 53.23; total 106.45."""
    clock.set(at(2026, 1, 1))
    subscription_id = await growth(gql)
    clock.set(at(2026, 1, 5))
    await use_gb(gql, "g", 1000)
    clock.set(at(2026, 1, 11, 12))
    await terminate(gql, subscription_id)
    [final] = await invoices(gql, "PERIOD_END", subscription_id)
    assert lines(final) == [
        ("Growth · base fee · 1 Jan – 11 Jan 2026 · 11 of 31 days (terminated)", "17.74"),
        ("Gb Processed · 1,000 GB · 1,000 × 0.01", "10.00"),
        ("Gb Processed · spending minimum 35.48 · true-up", "25.48"),
        ("Growth · minimum commitment 106.45 · true-up", "53.23"),
    ]
    assert final["total"]["amount"] == "106.45"


async def test_commitments_in_another_currency_or_on_no_charge_are_refused(
    gql: GraphQLClient, clock: FrozenClock
) -> None:
    clock.set(at(2026, 1, 1))
    await gb_metric(gql)
    await create_metric(gql, "seats")
    await gb_plan(gql, "growth", "50.00", "0.01")
    eur = {"amount": "100.00", "currency": "EUR"}
    cases = [
        ({"commitment": eur}, "commitment.currency", "currency_mismatch"),
        ({"commitment": usd("1.001")}, "commitment.amount", "invalid_amount"),
        (
            {"spendingMinimums": [{"metricCode": "gb_processed", "minimum": eur}]},
            "spendingMinimums[0].minimum.currency",
            "currency_mismatch",
        ),
        (
            {"spendingMinimums": [{"metricCode": "seats", "minimum": usd("5.00")}]},
            "spendingMinimums[0].metricCode",
            "not_charged",
        ),
        (
            {
                "commitment": usd("10.00"),
                "spendingMinimums": [
                    {"metricCode": "gb_processed", "minimum": usd("5.00")},
                    {"metricCode": "gb_processed", "minimum": usd("6.00")},
                ],
            },
            "spendingMinimums[1].metricCode",
            "duplicate",
        ),
    ]
    for given, field, code in cases:
        result = await commit(gql, **given)
        assert (result["__typename"], result["field"], result["code"]) == (
            "ValidationError",
            field,
            code,
        ), result
    found = await commit(gql)  # nothing was written: none set yet, and setting none is fine
    assert (found["plan"]["commitment"], found["plan"]["spendingMinimums"]) == (None, [])


async def test_what_pay_in_advance_charges_billed_counts_towards_the_commitments(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """Growth billed in advance: 50.00 of GB usage was invoiced as the events came, so the
    period-end invoice bills the base fee, 50.00 of spending-minimum true-up (100.00 less the
    50.00 billed in advance) and 150.00 of commitment (300.00 less 50 + 50 + 50) — the usage
    itself is not billed twice, nor left out of what was spent."""
    clock.set(at(2026, 1, 1))
    await gb_metric(gql)
    await create_plan(
        gql,
        code="growth",
        name="Growth",
        baseFee="50.00",
        moneyCharges=[
            {
                "metricCode": "gb_processed",
                "model": "PER_UNIT",
                "unitPrice": "0.01",
                "payInAdvance": True,
            }
        ],
    )
    await commit(
        gql,
        commitment=usd("300.00"),
        spendingMinimums=[{"metricCode": "gb_processed", "minimum": usd("100.00")}],
    )
    await customer_with_method(gql, "acme")
    subscription_id = await subscribe(gql, "acme", "growth", anchor=at(2026, 1, 1).isoformat())
    clock.set(at(2026, 1, 12))
    await use_gb(gql, "g", 5000)
    await tick(runtime, database_url, jobs, clock)
    ahead = await invoices(gql, "IN_ADVANCE", subscription_id)
    assert sum(Decimal(i["total"]["amount"]) for i in ahead) == Decimal("50.00")
    clock.set(at(2026, 2, 1))
    await tick(runtime, database_url, jobs, clock)
    [bill] = await invoices(gql, "PERIOD_END", subscription_id)
    assert lines(bill) == [
        ("Growth · base fee · 1 Jan – 1 Feb 2026", "50.00"),
        ("Gb Processed · spending minimum 100.00 · true-up", "50.00"),
        ("Growth · minimum commitment 300.00 · true-up", "150.00"),
    ]
