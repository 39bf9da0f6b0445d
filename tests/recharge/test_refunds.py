"""Refunds of purchased credits through GraphQL, on the sandbox provider and the job system:
a credit note on a paid purchase voids its unused credits and returns their money pro rata."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import text

from app import invoices
from app.clock import FrozenClock
from app.invoices import Draft, InvoiceType, LineInput, Terms
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import ERROR_FIELDS, burn, check_wallet, count_rows
from tests.payments.support import (
    balance,
    create_bundle,
    customer_with_method,
    rows,
    settle_all,
    top_up,
)
from workers.system import JobSystem

REFUND_FIELDS = """
  id number credits bonusCredits amount { amount currency } status reason provider
  providerReference failureReason refundedAt invoice { id number }
"""

REFUND = f"""
mutation($input: RefundCreditsInput!) {{ refundCredits(input: $input) {{
  __typename
  ... on RefundPayload {{ refund {{ {REFUND_FIELDS} }} }}
  {ERROR_FIELDS}
}} }}"""

REFUNDS = f"""query($id: ID!) {{ refunds(invoiceId: $id) {{ {REFUND_FIELDS} }} }}"""


async def refund(gql: GraphQLClient, invoice_id: str, key: str, **extra: Any) -> Any:
    data = await gql(REFUND, input={"invoiceId": invoice_id, "idempotencyKey": key, **extra})
    return data["refundCredits"]


async def bought(
    gql: GraphQLClient,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    *,
    credits: str = "3000",
    price: str = "10.00",
    bonus: str = "0",
) -> tuple[int, str]:
    """A customer who bought a bundle (paid through the sandbox): (wallet id, invoice id)."""
    wallet_id = await customer_with_method(gql, "acme")
    await create_bundle(gql, "pack", credits, price, bonus)
    started = await top_up(gql, wallet_id, "buy", bundleCode="pack")
    assert started["__typename"] == "RechargePayload", started
    await settle_all(database_url, jobs, clock)
    return wallet_id, started["recharge"]["invoice"]["id"]


async def entries(runtime: Runtime, wallet_id: int, kind: str) -> list[tuple[Any, ...]]:
    found = await rows(
        runtime.db,
        "SELECT credits, description FROM ledger_entries WHERE wallet_id = :w AND kind = :k "
        "ORDER BY id",
        w=wallet_id,
        k=kind,
    )
    return [tuple(row) for row in found]


async def test_partial_then_the_rest_prorated_cumulatively_and_sent_to_the_provider(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id, invoice_id = await bought(gql, database_url, jobs, clock)  # 3,000 for 10.00
    await burn(runtime, wallet_id, "1000")  # 1,000 used: worth round(333.33) = 3.33
    clock.advance(timedelta(seconds=60))

    first = await refund(gql, invoice_id, "r-1", credits="500", reason="customer asked")
    assert first["__typename"] == "RefundPayload", first
    note = first["refund"]
    # 1,500 gone of 3,000 is worth round(500.00) = 5.00; 1,000 gone was 3.33: 1.67 back.
    assert note["number"] == "CN-000001"
    assert note["credits"] == "500" and note["bonusCredits"] == "0"
    assert note["amount"] == {"amount": "1.67", "currency": "USD"}
    assert note["status"] == "PENDING" and note["provider"] == "SANDBOX"
    assert note["reason"] == "customer asked"
    assert await balance(gql, wallet_id) == Decimal(1500)  # voided at once

    await settle_all(database_url, jobs, clock)
    [done] = (await gql(REFUNDS, id=invoice_id))["refunds"]
    assert done["status"] == "SUCCEEDED"
    assert done["providerReference"] == f"sbx_refund_tally-refund-{note['id']}"
    assert done["refundedAt"] is not None

    rest = await refund(gql, invoice_id, "r-2")  # every unused credit: 1,500
    assert rest["__typename"] == "RefundPayload", rest
    assert rest["refund"]["credits"] == "1500"
    assert rest["refund"]["number"] == "CN-000002"
    # 3,000 gone is worth the whole 10.00; 1,500 gone was 5.00: 5.00 back.
    assert rest["refund"]["amount"]["amount"] == "5.00"
    assert await balance(gql, wallet_id) == Decimal(0)
    assert await entries(runtime, wallet_id, "refund") == [
        (
            Decimal(-500),
            "−500 paid credits refunded · credit note CN-000001 · invoice TLY-000001 · 1.67 USD",
        ),
        (
            Decimal(-1500),
            "−1,500 paid credits refunded · credit note CN-000002 · invoice TLY-000001 · 5.00 USD",
        ),
    ]
    # Used credits' worth + refunds = what the purchase cost.
    assert Decimal("3.33") + Decimal("1.67") + Decimal("5.00") == Decimal("10.00")

    again = await refund(gql, invoice_id, "r-3", credits="1")
    assert again["__typename"] == "InsufficientCreditsError"
    assert (again["code"], again["field"]) == ("nothing_to_refund", "credits")
    await settle_all(database_url, jobs, clock)
    statuses = [r["status"] for r in (await gql(REFUNDS, id=invoice_id))["refunds"]]
    assert statuses == ["SUCCEEDED", "SUCCEEDED"]
    await check_wallet(runtime.db, wallet_id)


async def test_more_than_the_unused_credits_is_a_typed_error_and_writes_nothing(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id, invoice_id = await bought(gql, database_url, jobs, clock)
    await burn(runtime, wallet_id, "1000")
    entries_before = await count_rows(runtime.db, "ledger_entries")

    too_much = await refund(gql, invoice_id, "r-1", credits="2000.000001")
    assert too_much["__typename"] == "InsufficientCreditsError", too_much
    assert too_much["field"] == "credits"
    assert too_much["message"] == "only 2,000 unused credits of this purchase can be refunded"
    for bad, code in (("0", "invalid_amount"), ("-5", "invalid_amount"), ("1.0000001", None)):
        answer = await refund(gql, invoice_id, f"bad-{bad}", credits=bad)
        assert answer["__typename"] == "ValidationError", answer
        assert answer["field"] == "credits"
        if code is not None:
            assert answer["code"] == code
    missing = await refund(gql, "999999", "r-missing")
    assert (missing["__typename"], missing["field"]) == ("NotFoundError", "invoiceId")
    nonsense = await refund(gql, "abc", "r-abc")
    assert (nonsense["__typename"], nonsense["field"]) == ("NotFoundError", "invoiceId")
    long_reason = await refund(gql, invoice_id, "r-long", reason="x" * 501)
    assert (long_reason["__typename"], long_reason["field"]) == ("ValidationError", "reason")

    assert await count_rows(runtime.db, "refunds") == 0
    assert await count_rows(runtime.db, "ledger_entries") == entries_before
    assert await balance(gql, wallet_id) == Decimal(2000)
    # The keys of refused requests were not kept: the same key works once the input is right.
    fine = await refund(gql, invoice_id, "r-1", credits="2000")
    assert fine["__typename"] == "RefundPayload", fine
    assert fine["refund"]["amount"]["amount"] == "6.67"


async def test_unpaid_void_and_non_purchase_invoices_are_refused(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    started = await top_up(gql, wallet_id, "buy", credits="1000")
    unpaid_id = started["recharge"]["invoice"]["id"]
    unpaid = await refund(gql, unpaid_id, "r-unpaid")
    assert (unpaid["__typename"], unpaid["code"], unpaid["field"]) == (
        "ValidationError",
        "invoice_unpaid",
        "invoiceId",
    )
    voided = await gql(
        """mutation($input: VoidInvoiceInput!) { voidInvoice(input: $input) { __typename } }""",
        input={"invoiceId": unpaid_id, "reason": "changed their mind"},
    )
    assert voided["voidInvoice"]["__typename"] == "InvoicePayload", voided
    void = await refund(gql, unpaid_id, "r-void")
    assert (void["code"], void["field"]) == ("invoice_void", "invoiceId")

    async with runtime.db.transaction() as session:
        usage = Draft(
            1, "USD", InvoiceType.THRESHOLD, [LineInput("usage", Decimal(1), Decimal(5))], None
        )
        issued = await invoices.issue(session, usage, Terms(), runtime.clock.now())
    other = await refund(gql, str(issued.id), "r-usage")
    assert (other["__typename"], other["code"], other["field"]) == (
        "ValidationError",
        "not_a_purchase",
        "invoiceId",
    )
    assert await count_rows(runtime.db, "refunds") == 0


async def test_a_bundle_bonus_is_voided_in_proportion(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id, invoice_id = await bought(
        gql, database_url, jobs, clock, credits="1000", price="10.00", bonus="100"
    )
    answer = await refund(gql, invoice_id, "r-1", credits="500")
    assert answer["__typename"] == "RefundPayload", answer
    assert answer["refund"]["bonusCredits"] == "50"
    assert answer["refund"]["amount"]["amount"] == "5.00"
    assert await balance(gql, wallet_id) == Decimal(550)
    assert [row[0] for row in await entries(runtime, wallet_id, "refund")] == [
        Decimal(-500),
        Decimal(-50),
    ]
    await check_wallet(runtime.db, wallet_id)


async def test_an_invoice_paid_outside_the_provider_is_refunded_offline(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await customer_with_method(gql, "acme")
    started = await top_up(gql, wallet_id, "buy", credits="1000")  # 10.00 at 0.01
    invoice_id = started["recharge"]["invoice"]["id"]
    paid = await gql(
        """mutation($input: MarkInvoicePaidInput!) { markInvoicePaid(input: $input) {
          __typename } }""",
        input={"invoiceId": invoice_id},
    )
    assert paid["markInvoicePaid"]["__typename"] == "InvoicePayload", paid
    answer = await refund(gql, invoice_id, "r-1", credits="250")
    assert answer["refund"]["status"] == "OFFLINE"
    assert answer["refund"]["amount"]["amount"] == "2.50"
    assert answer["refund"]["provider"] is None
    await settle_all(database_url, jobs, clock)
    assert await count_rows(runtime.db, "refunds") == 1
    found = await rows(runtime.db, "SELECT count(*) FROM outbox WHERE topic = 'payments.refund'")
    assert found[0][0] == 0


async def test_two_concurrent_calls_refund_once(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id, invoice_id = await bought(gql, database_url, jobs, clock)
    same = await asyncio.gather(
        refund(gql, invoice_id, "same", credits="1000"),
        refund(gql, invoice_id, "same", credits="1000"),
    )
    assert [a["__typename"] for a in same] == ["RefundPayload", "RefundPayload"], same
    assert same[0]["refund"]["id"] == same[1]["refund"]["id"]
    assert await count_rows(runtime.db, "refunds") == 1
    assert await balance(gql, wallet_id) == Decimal(2000)

    rival = await asyncio.gather(
        refund(gql, invoice_id, "a", credits="1500"),
        refund(gql, invoice_id, "b", credits="1500"),
    )
    kinds = sorted(a["__typename"] for a in rival)
    assert kinds == ["InsufficientCreditsError", "RefundPayload"], rival
    assert await balance(gql, wallet_id) == Decimal(500)
    await settle_all(database_url, jobs, clock)
    refs = await rows(runtime.db, "SELECT status, amount_minor FROM refunds ORDER BY id")
    assert [tuple(r) for r in refs] == [("succeeded", 333), ("succeeded", 500)]
    await check_wallet(runtime.db, wallet_id)


async def test_expired_purchased_credits_cannot_be_refunded(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id, invoice_id = await bought(gql, database_url, jobs, clock)
    expires = clock.now() + timedelta(days=30)  # as a rollover policy would set it
    async with runtime.db.engine.begin() as connection:
        await connection.execute(
            text("UPDATE grants SET expires_at = :at WHERE wallet_id = :w"),
            {"at": expires, "w": wallet_id},
        )
    clock.set(expires)
    answer = await refund(gql, invoice_id, "r-1")
    assert (answer["__typename"], answer["code"]) == (
        "InsufficientCreditsError",
        "nothing_to_refund",
    )
