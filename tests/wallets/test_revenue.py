"""The revenue report through GraphQL over three months moved by the test clock: exact money at
the cost basis, and reconciled both ways (the monthly chain, and the paid grants' remaining)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from app import money
from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import burn, check_wallet, create_customer, grant
from tests.payments.support import rows, settle_all, top_up
from tests.recharge.test_refunds import bought, refund
from workers.system import JobSystem

FIGURE = "credits amount { amount }"
REPORT = f"""
query($from: String!, $to: String!) {{ revenueReport(fromMonth: $from, toMonth: $to) {{
  csv
  months {{
    month currency
    openingDeferred {{ {FIGURE} }} sold {{ {FIGURE} }} recognized {{ {FIGURE} }}
    breakage {{ {FIGURE} }} refunded {{ {FIGURE} }} voided {{ {FIGURE} }}
    rolledIn {{ {FIGURE} }} rolledOut {{ {FIGURE} }} closingDeferred {{ {FIGURE} }}
    free {{ granted consumed expired voided outstanding }}
  }}
}} }}"""


def fig(credits: str, amount: str) -> dict[str, Any]:
    return {"credits": credits, "amount": {"amount": amount}}


async def three_months(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> int:
    # January: 3,000 credits bought for 10.00; 500 free; 1,000 used (500 free, then 500 paid).
    wallet_id, invoice_id = await bought(gql, database_url, jobs, clock)
    assert (await grant(gql, wallet_id, "500", "free"))["__typename"] == "LedgerEntryPayload"
    await burn(runtime, wallet_id, "1000")
    # February: 700 used, 800 refunded.
    clock.set(datetime(2026, 2, 10, tzinfo=UTC))
    await burn(runtime, wallet_id, "700")
    assert (await refund(gql, invoice_id, "r", credits="800"))["__typename"] == "RefundPayload"
    # March: 100 paid credits (5.00) that expire unused; 2,000 used (1,000 into debt); a
    # top-up of 1,500 (15.00) pays the debt first.
    clock.set(datetime(2026, 3, 5, tzinfo=UTC))
    paid = await grant(
        gql,
        wallet_id,
        "100",
        "paid",
        kind="PAID",
        cost="5.00",
        expiresAt=(clock.now() + timedelta(days=5)).isoformat(),
    )
    assert paid["__typename"] == "LedgerEntryPayload", paid
    clock.set(datetime(2026, 3, 11, tzinfo=UTC))
    await burn(runtime, wallet_id, "2000")
    clock.set(datetime(2026, 3, 12, tzinfo=UTC))
    assert (await top_up(gql, wallet_id, "buy-2", credits="1500"))["__typename"] == (
        "RechargePayload"
    )
    await settle_all(database_url, jobs, clock)
    await check_wallet(runtime.db, wallet_id)
    return wallet_id


async def test_three_months_of_revenue_reconcile_both_ways(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    await three_months(gql, runtime, database_url, jobs, clock)
    report = (await gql(REPORT, **{"from": "2026-01", "to": "2026-04"}))["revenueReport"]
    january, february, march, april = report["months"]
    assert january == {
        "month": "2026-01",
        "currency": "USD",
        "openingDeferred": fig("0", "0.00"),
        "sold": fig("3000", "10.00"),
        "recognized": fig("500", "1.67"),  # round(1000 × 500 / 3000) = 167
        "breakage": fig("0", "0.00"),
        "refunded": fig("0", "0.00"),
        "voided": fig("0", "0.00"),
        "rolledIn": fig("0", "0.00"),
        "rolledOut": fig("0", "0.00"),
        "closingDeferred": fig("2500", "8.33"),
        "free": {
            "granted": "500",
            "consumed": "500",
            "expired": "0",
            "voided": "0",
            "outstanding": "0",
        },
    }
    # 1,200 gone: 400; 2,000 gone: 667.
    assert february["openingDeferred"] == fig("2500", "8.33")
    assert february["recognized"] == fig("700", "2.33")
    assert february["refunded"] == fig("800", "2.67")
    assert february["closingDeferred"] == fig("1000", "3.33")
    # March: sold 100 (5.00) + 1,500 (15.00); the 100 expire (5.00); 1,000 from the first
    # purchase (3.33) and the 1,000 of debt the top-up paid (10.00) are recognized.
    assert march["sold"] == fig("1600", "20.00")
    assert march["breakage"] == fig("100", "5.00")
    assert march["recognized"] == fig("2000", "13.33")
    assert march["closingDeferred"] == fig("500", "5.00")
    assert april["openingDeferred"] == april["closingDeferred"] == fig("500", "5.00")

    # The chain: opening + sold + rolled in − out = closing, and each month opens where the
    # month before closed.
    for before, month in zip(report["months"], report["months"][1:], strict=False):
        assert month["openingDeferred"] == before["closingDeferred"]
    for month in report["months"]:
        value = Decimal(month["openingDeferred"]["amount"]["amount"])
        value += sum(Decimal(month[k]["amount"]["amount"]) for k in ("sold", "rolledIn"))
        value -= sum(
            Decimal(month[k]["amount"]["amount"])
            for k in ("recognized", "breakage", "refunded", "voided", "rolledOut")
        )
        assert value == Decimal(month["closingDeferred"]["amount"]["amount"])

    # The other way: what the paid grants still hold, at their cost basis.
    grants = await rows(
        runtime.db, "SELECT amount, remaining, cost_minor FROM grants WHERE kind = 'paid'"
    )
    held = sum(
        cost - money.share(cost, amount - remaining, amount) for amount, remaining, cost in grants
    )
    assert held == 500
    assert sum(r for _, r, _ in grants) == Decimal(500)

    # A report that starts in March opens with what February closed on (a separate path).
    alone = (await gql(REPORT, **{"from": "2026-03", "to": "2026-03"}))["revenueReport"]
    assert alone["months"][0]["openingDeferred"] == fig("1000", "3.33")
    assert alone["csv"].splitlines() == [
        "month,currency,opening_deferred,sold,recognized,breakage,refunded,voided,rolled_in,"
        "rolled_out,closing_deferred,sold_credits,recognized_credits,breakage_credits,"
        "refunded_credits,voided_credits,deferred_credits,free_granted,free_consumed,"
        "free_expired,free_voided,free_outstanding",
        "2026-03,USD,3.33,20.00,13.33,5.00,0.00,0.00,0.00,0.00,5.00,1600,2000,100,0,0,500,"
        "0,0,0,0,0",
    ]


async def test_bad_months_are_typed_errors_naming_the_field(gql: GraphQLClient) -> None:
    cases = [
        ("2026-13", "2026-12", "fromMonth", "invalid_month"),
        ("2026-00", "2026-12", "fromMonth", "invalid_month"),
        ("March", "2026-12", "fromMonth", "invalid_month"),
        ("2026-01", "2026-1x", "toMonth", "invalid_month"),
        ("2026-05", "2026-04", "toMonth", "invalid_range"),
        ("2000-01", "2026-04", "toMonth", "too_long"),
    ]
    for start, end, field, code in cases:
        body = await gql.raw(REPORT, **{"from": start, "to": end})
        [error] = body["errors"]
        assert (error["extensions"]["field"], error["extensions"]["code"]) == (field, code), body


async def test_a_customer_token_cannot_read_the_revenue_report(
    gql: GraphQLClient, runtime: Runtime
) -> None:
    await create_customer(gql, "acme")
    minted = await gql(
        """mutation { createCustomerToken(customerExternalId: "acme") {
          ... on CustomerToken { token } } }"""
    )
    token = minted["createCustomerToken"]["token"]
    body = await gql.raw(REPORT, key=token, **{"from": "2026-01", "to": "2026-01"})
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
