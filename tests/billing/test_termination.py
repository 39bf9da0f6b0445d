"""Terminating a subscription closes its period early with a final invoice, at once: the money
usage threshold invoices have not billed yet, plus the base fee for the days of the period the
subscription ran (in arrears; ``test_fees`` has the edge cases). Once: terminating again, or the
period-end sweep afterwards, invoices nothing more. Credit-priced usage was debited as it
happened and is not invoiced.

The clock starts at 15 Jan 2026 12:00 UTC, so monthly periods run 15 Jan – 15 Feb (31 days)."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.billing.support import (
    ERROR,
    S9_THRESHOLDS,
    S9_TIERS,
    SET_PAYMENT,
    amounts,
    create_plan,
    invoices,
    scale_customer,
    send,
    subscription,
    tick,
)
from tests.billing.support import gb_events as gb
from tests.conftest import GraphQLClient
from tests.core.support import grant
from tests.metering.support import create_metric, subscribe
from tests.payments.support import (
    balance,
    customer_with_method,
    jobs_for,
    rows,
    settle_all,
)
from workers.system import JobSystem

TERMINATE = f"""mutation($id: ID!) {{ terminateSubscription(id: $id) {{
  __typename
  ... on SubscriptionPayload {{ subscription {{ id status terminatedAt }} }}
  {ERROR}
}} }}"""

PERIOD = """query($id: ID!, $at: DateTime) { subscription(id: $id) {
  billingPeriod(at: $at) { periodStart usage { amount } billedByThresholds { amount } closedAt }
} }"""


async def terminate(gql: GraphQLClient, subscription_id: str) -> dict[str, Any]:
    payload: dict[str, Any] = (await gql(TERMINATE, id=subscription_id))["terminateSubscription"]
    assert payload["__typename"] == "SubscriptionPayload", payload
    return payload["subscription"]


async def scale_with_fee(gql: GraphQLClient, base_fee: str = "30.00") -> None:
    """S9's plan "Scale" (graduated 0.50 up to 100 GB, 0.40 above; thresholds 50.00 and
    100.00, then every 200.00) with a base fee."""
    await create_metric(gql, "gb_processed", "SUM", singular="GB", plural="GB", prop="gb")
    await create_plan(
        gql,
        code="scale",
        name="Scale",
        baseFee=base_fee,
        moneyCharges=[{"metricCode": "gb_processed", "model": "GRADUATED", "tiers": S9_TIERS}],
        thresholds=S9_THRESHOLDS,
    )


async def period_row(gql: GraphQLClient, subscription_id: str, at: datetime) -> dict[str, Any]:
    found = await gql(PERIOD, id=subscription_id, at=at.isoformat())
    period: dict[str, Any] = found["subscription"]["billingPeriod"]
    return period


async def test_mid_period_termination_bills_the_remainder_and_a_prorated_base_fee(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_with_fee(gql)
    _, subscription_id = await scale_customer(gql)
    start = clock.now()
    found = await subscription(gql, subscription_id)
    period_end = datetime.fromisoformat(found["currentPeriodEnd"])
    assert period_end - start == timedelta(days=31)

    clock.advance(timedelta(hours=1))
    await send("http", gql, http, gb("a", 120))  # 100 × 0.50 + 20 × 0.40 = 58.00 ≥ 50.00
    await settle_all(database_url, jobs, clock)
    [threshold] = await invoices(gql, "THRESHOLD")
    assert (threshold["total"]["amount"], threshold["status"]) == ("58.00", "PAID")

    clock.advance(timedelta(days=2))
    await send("graphql", gql, http, gb("b", 30))  # 150 GB: 50.00 + 50 × 0.40 = 70.00 < 100.00
    await settle_all(database_url, jobs, clock)
    assert len(await invoices(gql, "THRESHOLD")) == 1

    ended_at = start + timedelta(days=10)
    clock.set(ended_at)
    terminated = await terminate(gql, subscription_id)
    assert terminated["status"] == "TERMINATED"
    assert datetime.fromisoformat(terminated["terminatedAt"]) == ended_at

    # Issued in the mutation's own transaction, before any job runs.
    [final] = await invoices(gql, "PERIOD_END")
    assert final["status"] == "FINALIZED"
    assert datetime.fromisoformat(final["finalizedAt"]) == ended_at
    assert datetime.fromisoformat(final["periodStart"]) == start
    assert datetime.fromisoformat(final["periodEnd"]) == ended_at
    assert final["subscription"]["id"] == subscription_id
    # Base fee 30.00 × 10 / 31 days = 9.677… → 9.68; usage 70.00 less the 58.00 the threshold
    # invoice billed → 12.00; total 21.68.
    assert amounts(final) == ["9.68", "70.00", "-58.00"]
    assert final["total"] == {"amount": "21.68", "currency": "USD"}
    fee, usage, deduction = final["lines"]
    assert fee["description"] == (
        "Scale · base fee · 15 Jan – 25 Jan 2026 · 10 of 31 days (terminated)"
    )
    assert (Decimal(fee["quantity"]), Decimal(fee["unitPrice"])) == (
        Decimal("0.322581"),
        Decimal(30),
    )
    assert usage["description"] == "Gb Processed · 150 GB · 100 × 0.5 + 50 × 0.4"
    assert deduction["description"] == "Billed by threshold invoices this period"

    await settle_all(database_url, jobs, clock)  # collected like any invoice: the card on file
    [final] = await invoices(gql, "PERIOD_END")
    assert (final["status"], final["paymentStatus"]) == ("PAID", "SUCCEEDED")
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    created = [e["data"] for e in emitted if e["type"] == "invoice.created"]
    assert [(c["type"], c["total"]) for c in created] == [
        ("threshold", "58.00"),
        ("period_end", "21.68"),
    ]
    [ended] = [e["data"] for e in emitted if e["type"] == "subscription.terminated"]
    assert ended["subscription_id"] == int(subscription_id)
    assert datetime.fromisoformat(ended["terminated_at"]) == ended_at
    assert (ended["final_invoice"]["total"], ended["final_invoice"]["currency"]) == ("21.68", "USD")

    closed = await period_row(gql, subscription_id, start)
    assert datetime.fromisoformat(closed["closedAt"]) == ended_at
    assert closed["usage"]["amount"] == "70.00"

    # The period-end sweep, at the period's natural end and a month later: nothing more.
    for moment in (period_end, period_end + timedelta(days=31)):
        clock.set(moment)
        await tick(runtime, database_url, jobs, clock)
    assert len(await invoices(gql, "PERIOD_END")) == 1
    assert len(await invoices(gql)) == 2
    assert await jobs_for(runtime.db, "billing.invoice_period_end") == []


async def test_terminating_twice_issues_one_final_invoice(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    await scale_with_fee(gql, "20.00")
    _, subscription_id = await scale_customer(gql, method=None)
    await send("http", gql, http, gb("a", 40))  # 20.00, below every threshold
    clock.advance(timedelta(days=7, hours=18))  # into the 8th day: 20.00 × 8 / 31 = 5.16
    first = await terminate(gql, subscription_id)
    clock.advance(timedelta(hours=1))
    again = await terminate(gql, subscription_id)
    assert again == first  # a no-op: same status, same terminatedAt
    await settle_all(database_url, jobs, clock)
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    assert [e["type"] for e in emitted].count("subscription.terminated") == 1  # announced once

    [final] = await invoices(gql)
    assert (final["type"], final["status"]) == ("PERIOD_END", "FINALIZED")  # no card: owed
    assert amounts(final) == ["5.16", "20.00"]
    assert final["total"]["amount"] == "25.16"
    assert "8 of 31 days (terminated)" in final["lines"][0]["description"]
    assert [r for r in await rows(runtime.db, "SELECT count(*) FROM billing_periods")] == [(1,)]


async def test_an_ended_period_the_sweep_had_not_closed_is_invoiced_whole_and_once(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """Terminated two days into its second period before the scheduler rolled the first: the
    first gets its ordinary period-end invoice, the second the final one; the sweep adds none."""
    await scale_with_fee(gql, "31.00")
    _, subscription_id = await scale_customer(gql)
    start = clock.now()
    second_start = start + timedelta(days=31)
    await send("http", gql, http, gb("a", 20))  # 10.00 in the first period
    clock.set(second_start + timedelta(days=2))  # no tick in between
    await terminate(gql, subscription_id)
    await settle_all(database_url, jobs, clock)

    # The final invoice comes first: the termination issued it; the job then billed the other.
    final, first = await invoices(gql, "PERIOD_END")
    assert (datetime.fromisoformat(first["periodStart"]), first["periodEnd"]) == (
        start,
        second_start.isoformat(),
    )
    assert amounts(first) == ["31.00", "10.00"]
    assert datetime.fromisoformat(final["periodStart"]) == second_start
    assert datetime.fromisoformat(final["periodEnd"]) == clock.now()
    # The second period (15 Feb – 15 Mar) has 28 days: 31.00 × 2 / 28 = 2.214… → 2.21.
    assert amounts(final) == ["2.21"]
    assert [i["status"] for i in (first, final)] == ["PAID", "PAID"]

    clock.set(second_start + timedelta(days=60))
    await tick(runtime, database_url, jobs, clock)
    assert len(await invoices(gql)) == 2


async def test_termination_without_usage_or_fee_issues_no_invoice(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """Nothing owed: as at period end, no lines make no invoice; the period is closed all the
    same."""
    await scale_with_fee(gql, "0")
    _, subscription_id = await scale_customer(gql)
    start = clock.now()
    clock.advance(timedelta(days=3))
    await terminate(gql, subscription_id)
    await settle_all(database_url, jobs, clock)
    assert await invoices(gql) == []
    emitted = await jobs_for(runtime.db, "webhooks.emit")
    [ended] = [e["data"] for e in emitted if e["type"] == "subscription.terminated"]
    assert ended["final_invoice"] is None  # nothing was owed
    closed = await period_row(gql, subscription_id, start)
    assert datetime.fromisoformat(closed["closedAt"]) == clock.now()

    clock.set(start + timedelta(days=31))
    await tick(runtime, database_url, jobs, clock)
    assert await invoices(gql) == []


async def test_usage_fully_billed_by_thresholds_gives_a_final_invoice_of_zero(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """As at period end (S9's 310.00 − 310.00): the invoice of 0.00 is issued and paid at once."""
    await scale_with_fee(gql, "0")
    _, subscription_id = await scale_customer(gql)
    await send("http", gql, http, gb("a", 120))  # 58.00: threshold invoice 58.00
    await settle_all(database_url, jobs, clock)
    clock.advance(timedelta(days=1))
    await terminate(gql, subscription_id)
    [final] = await invoices(gql, "PERIOD_END")
    assert amounts(final) == ["58.00", "-58.00"]
    assert (final["total"]["amount"], final["status"]) == ("0.00", "PAID")


async def test_a_credit_only_plan_owes_no_money_at_termination(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """Credits were debited event by event: terminating invoices nothing, opens no billing
    period, and takes no more credits."""
    await create_metric(gql, "api_call", singular="API call", plural="API calls")
    await create_plan(
        gql,
        code="credits",
        name="Credits",
        charges=[{"metricCode": "api_call", "creditPrice": "2"}],
    )
    wallet_id = await customer_with_method(gql, "acme")
    await grant(gql, wallet_id, "500", "g")
    subscription_id = await subscribe(gql, "acme", "credits")
    calls = [
        {"transaction_id": f"c{n}", "customer_external_id": "acme", "metric_code": "api_call"}
        for n in range(50)
    ]
    await send("http", gql, http, calls)
    assert await balance(gql, wallet_id) == Decimal(400)

    clock.advance(timedelta(days=5))
    terminated = await terminate(gql, subscription_id)
    assert terminated["status"] == "TERMINATED"
    await settle_all(database_url, jobs, clock)
    assert await invoices(gql) == []
    assert await balance(gql, wallet_id) == Decimal(400)
    assert [r for r in await rows(runtime.db, "SELECT count(*) FROM billing_periods")] == [(0,)]

    clock.advance(timedelta(days=40))
    await tick(runtime, database_url, jobs, clock)
    assert await invoices(gql) == []


async def test_a_hybrid_plan_paying_with_credits_pays_its_final_invoice_at_once(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
) -> None:
    """Base fee + credits + money overage: the credit charge is not invoiced; the money part
    (prorated fee and overage) is paid from the wallet in the terminating transaction."""
    await create_metric(gql, "api_call", singular="API call", plural="API calls")
    await create_metric(gql, "gb", "SUM", singular="GB", plural="GB", prop="gb")
    await create_plan(
        gql,
        code="hybrid",
        name="Hybrid",
        baseFee="20.00",
        charges=[{"metricCode": "api_call", "creditPrice": "1"}],
        moneyCharges=[{"metricCode": "gb", "unitPrice": "0.10"}],
    )
    wallet_id = await customer_with_method(gql, "acme", None)
    await grant(gql, wallet_id, "5000", "g")
    subscription_id = await subscribe(gql, "acme", "hybrid")
    chosen = await gql(
        SET_PAYMENT, input={"subscriptionId": subscription_id, "payWithCredits": True}
    )
    assert chosen["setSubscriptionPayment"]["subscription"]["payWithCredits"] is True
    events: list[dict[str, Any]] = [
        {"transaction_id": f"c{n}", "customer_external_id": "acme", "metric_code": "api_call"}
        for n in range(100)
    ]
    events.append(
        {
            "transaction_id": "g1",
            "customer_external_id": "acme",
            "metric_code": "gb",
            "properties": {"gb": "45.5"},
        }
    )
    await send("http", gql, http, events)
    assert await balance(gql, wallet_id) == Decimal(4900)

    clock.advance(timedelta(days=10))
    await terminate(gql, subscription_id)
    [final] = await invoices(gql)  # paid before any job ran
    # 20.00 × 10 / 31 = 6.45; 45.5 GB × 0.10 = 4.55; 11.00 = 1,100 credits at 0.01.
    assert amounts(final) == ["6.45", "4.55"]
    assert (final["total"]["amount"], final["status"], final["creditsPaid"]) == (
        "11.00",
        "PAID",
        "1100",
    )
    assert await balance(gql, wallet_id) == Decimal(3800)
