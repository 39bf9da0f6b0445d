"""Top-ups through GraphQL with the job system: credits land when the payment succeeds."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import check_wallet, count_rows
from tests.payments.support import (
    balance,
    create_bundle,
    customer_with_method,
    jobs_for,
    recharge,
    rows,
    settle_all,
    top_up,
)
from workers.system import JobSystem


async def test_s1_starter_pack_purchase(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    bonus = await gql(
        """mutation { setSignupBonus(credits: "1000", expiresInDays: 30) { __typename } }"""
    )
    assert bonus["setSignupBonus"]["__typename"] == "SignupBonusPayload"
    wallet_id = await customer_with_method(gql, "acme")
    await create_bundle(gql, "starter-pack", "5000", "50.00")
    assert await balance(gql, wallet_id) == Decimal(1000)  # the signup bonus

    started = await top_up(gql, wallet_id, "buy-1", bundleCode="starter-pack")
    assert started["__typename"] == "RechargePayload", started
    bought = started["recharge"]
    assert bought["status"] == "PENDING"
    invoice = bought["invoice"]
    assert invoice["type"] == "CREDIT_PURCHASE"
    assert invoice["status"] == "FINALIZED"
    assert invoice["number"] == "TLY-000001"
    assert invoice["total"] == {"amount": "50.00", "currency": "USD"}
    assert invoice["lines"] == [
        {
            "description": "Starter Pack: 5,000 credits",
            "quantity": "1",
            "unitPrice": "50",
            "discountPercent": "0",
            "amount": {"amount": "50.00"},
        }
    ]
    assert await balance(gql, wallet_id) == Decimal(1000)  # nothing lands before the payment

    await settle_all(database_url, jobs, clock)

    done = await recharge(gql, bought["id"])
    assert done["status"] == "SUCCEEDED"
    assert done["invoice"]["status"] == "PAID"
    assert done["invoice"]["paymentStatus"] == "SUCCEEDED"
    [payment] = done["invoice"]["payments"]
    assert payment["status"] == "SUCCEEDED" and payment["attempts"] == 1
    assert payment["providerReference"] == f"sbx_ok_tally-payment-{payment['id']}"
    assert await balance(gql, wallet_id) == Decimal(6000)
    grants = await rows(
        runtime.db,
        "SELECT kind, source, amount, cost_minor FROM grants WHERE wallet_id = :w ORDER BY id",
        w=wallet_id,
    )
    assert [tuple(g) for g in grants] == [
        ("free", "signup_bonus", Decimal(1000), None),
        ("paid", "bundle", Decimal(5000), 5000),  # cost basis: 50.00 USD
    ]
    await check_wallet(runtime.db, wallet_id)
    events = [job["type"] for job in await jobs_for(runtime.db, "webhooks.emit")]
    assert events == ["invoice.created", "invoice.paid", "wallet.recharged"]


async def test_a_bundle_bonus_lands_as_free_credits(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await create_bundle(gql, "growth-pack", "50000", "400.00", bonus="5000")
    started = await top_up(gql, wallet_id, "k", bundleCode="growth-pack")
    lines = started["recharge"]["invoice"]["lines"]
    assert [line["amount"]["amount"] for line in lines] == ["400.00", "0.00"]
    assert lines[1]["description"] == "Bonus: 5,000 free credits"
    await settle_all(database_url, jobs, clock)
    assert await balance(gql, wallet_id) == Decimal(55000)
    kinds = await rows(
        runtime.db, "SELECT kind, amount FROM grants WHERE wallet_id = :w ORDER BY id", w=wallet_id
    )
    assert [tuple(k) for k in kinds] == [("paid", Decimal(50000)), ("free", Decimal(5000))]


async def test_credits_are_billed_at_the_wallet_rate(
    gql: GraphQLClient, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    started = await top_up(gql, wallet_id, "k", credits="1234.5")
    [line] = started["recharge"]["invoice"]["lines"]
    assert line["quantity"] == "1234.5" and line["unitPrice"] == "0.01"
    assert line["amount"] == {"amount": "12.35"}  # 12.345 rounds half-up once
    await settle_all(database_url, jobs, clock)
    assert await balance(gql, wallet_id) == Decimal("1234.5")


async def test_s2_one_key_twice_is_one_invoice_one_payment_one_grant(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    first = await top_up(gql, wallet_id, "same-key", credits="500")
    again = await top_up(gql, wallet_id, "same-key", credits="500")
    assert again["recharge"]["id"] == first["recharge"]["id"]
    await settle_all(database_url, jobs, clock)
    after = await top_up(gql, wallet_id, "same-key", credits="500")
    assert after["recharge"]["status"] == "SUCCEEDED"
    assert await count_rows(runtime.db, "invoices") == 1
    assert await count_rows(runtime.db, "payments") == 1
    assert await count_rows(runtime.db, "grants") == 1
    assert await balance(gql, wallet_id) == Decimal(500)


async def test_s2_concurrent_requests_with_one_key_buy_once(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    answers = await asyncio.gather(
        *[top_up(gql, wallet_id, "race", credits="500") for _ in range(6)]
    )
    assert {a["recharge"]["id"] for a in answers} == {answers[0]["recharge"]["id"]}
    await settle_all(database_url, jobs, clock)
    assert await count_rows(runtime.db, "invoices") == 1
    assert await count_rows(runtime.db, "payments") == 1
    assert await balance(gql, wallet_id) == Decimal(500)


async def test_one_key_for_another_request_is_a_conflict(gql: GraphQLClient) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    await top_up(gql, wallet_id, "k", credits="500")
    other = await top_up(gql, wallet_id, "k", credits="600")
    assert other["__typename"] == "ConflictError"
    assert other["field"] == "idempotencyKey"


async def test_a_declined_payment_adds_nothing_and_says_why(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", "pm_sandbox_decline")
    started = await top_up(gql, wallet_id, "k", credits="500")
    await settle_all(database_url, jobs, clock)
    failed = await recharge(gql, started["recharge"]["id"])
    assert failed["status"] == "FAILED"
    assert failed["failureReason"].startswith("payment failed: card_declined")
    invoice = failed["invoice"]
    assert invoice["paymentStatus"] == "FAILED"
    assert invoice["status"] == "VOID"  # nothing was delivered, nothing is owed
    [payment] = invoice["payments"]
    assert payment["status"] == "FAILED" and payment["failureReason"].startswith("card_declined")
    assert await balance(gql, wallet_id) == 0
    assert await count_rows(runtime.db, "grants") == 0
    events = [job["type"] for job in await jobs_for(runtime.db, "webhooks.emit")]
    assert events == ["invoice.created", "invoice.payment_failed"]


async def test_a_late_failure_arrives_when_the_clock_moves_on(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme", "pm_sandbox_late_fail")
    started = await top_up(gql, wallet_id, "k", credits="500")
    await settle_all(database_url, jobs, clock)
    accepted = await recharge(gql, started["recharge"]["id"])
    assert accepted["status"] == "PENDING"
    assert accepted["invoice"]["payments"][0]["status"] == "PROCESSING"

    clock.advance(timedelta(seconds=runtime.settings.sandbox_late_fail_seconds))
    await settle_all(database_url, jobs, clock)
    failed = await recharge(gql, started["recharge"]["id"])
    assert failed["status"] == "FAILED"
    assert failed["invoice"]["payments"][0]["status"] == "FAILED"
    assert await balance(gql, wallet_id) == 0
