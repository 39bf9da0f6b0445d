"""Wallet statements through GraphQL, over months moved by the test clock: exact balances and
groups, paid and free, value translation, CSV; a customer token reads only its own."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.clock import FrozenClock
from app.runtime import Runtime
from app.wallets import service
from app.wallets.ledger import Cause, Usage
from app.wallets.models import CauseType
from tests.conftest import GraphQLClient
from tests.core.support import create_customer
from tests.wallets.test_revenue import three_months
from workers.system import JobSystem

STATEMENT = """
query($w: ID!, $month: String, $start: DateTime, $end: DateTime) {
  walletStatement(walletId: $w, month: $month, start: $start, end: $end) {
    currency start end openingBalance openingValue { amount } closingBalance
    closingValue { amount }
    groups { kind entries credits paidCredits freeCredits debtCredits value { amount } }
    usage { metricCode unitLabel units credits entries }
  }
}"""

CSV = """query($w: ID!, $month: String) { walletStatement(walletId: $w, month: $month) { csv } }"""


def group(
    kind: str, entries: int, credits: str, paid: str, free: str, debt: str, value: str
) -> dict[str, Any]:
    return {
        "kind": kind,
        "entries": entries,
        "credits": credits,
        "paidCredits": paid,
        "freeCredits": free,
        "debtCredits": debt,
        "value": {"amount": value},
    }


async def statement(gql: GraphQLClient, wallet_id: int, **args: Any) -> Any:
    return (await gql(STATEMENT, w=str(wallet_id), **args))["walletStatement"]


async def test_monthly_statements_chain_and_split_paid_free_and_debt(
    gql: GraphQLClient, runtime: Runtime, database_url: str, jobs: JobSystem, clock: FrozenClock
) -> None:
    wallet_id = await three_months(gql, runtime, database_url, jobs, clock)
    clock.set(datetime(2026, 4, 2, tzinfo=UTC))
    async with runtime.db.transaction() as session:
        await service.burn(
            session,
            wallet_id,
            Decimal(250),
            description="−250 credits · 50 documents analyzed",
            cause=Cause(CauseType.EVENT_BATCH, "batch-1"),
            now=clock.now(),
            usage=Usage("documents", Decimal(50), "documents analyzed"),
        )

    january = await statement(gql, wallet_id, month="2026-01")
    assert (january["openingBalance"], january["closingBalance"]) == ("0", "2500")
    assert january["closingValue"] == {"amount": "25.00"}  # at the wallet's rate, 0.01
    assert january["groups"] == [
        group("CONSUMPTION", 1, "-1000", "-500", "-500", "0", "-10.00"),
        group("GRANT", 1, "500", "0", "500", "0", "5.00"),
        group("PURCHASE", 1, "3000", "3000", "0", "0", "30.00"),
    ]
    february = await statement(gql, wallet_id, month="2026-02")
    assert (february["openingBalance"], february["closingBalance"]) == ("2500", "1000")
    assert february["groups"] == [
        group("CONSUMPTION", 1, "-700", "-700", "0", "0", "-7.00"),
        group("REFUND", 1, "-800", "-800", "0", "0", "-8.00"),
    ]
    march = await statement(gql, wallet_id, month="2026-03")
    assert (march["openingBalance"], march["closingBalance"]) == ("1000", "500")
    assert march["groups"] == [
        group("CONSUMPTION", 1, "-2000", "-1000", "0", "-1000", "-20.00"),
        group("EXPIRY", 1, "-100", "-100", "0", "0", "-1.00"),
        group("PURCHASE", 2, "1600", "1600", "0", "0", "16.00"),
    ]
    april = await statement(gql, wallet_id, month="2026-04")
    assert (april["openingBalance"], april["closingBalance"]) == ("500", "250")
    assert april["usage"] == [
        {
            "metricCode": "documents",
            "unitLabel": "documents analyzed",
            "units": "50",
            "credits": "250",
            "entries": 1,
        }
    ]
    for month in (january, february, march, april):
        moved = sum(Decimal(g["credits"]) for g in month["groups"])
        assert Decimal(month["openingBalance"]) + moved == Decimal(month["closingBalance"])

    # Any range: the first quarter is January's opening to March's closing.
    quarter = await statement(
        gql, wallet_id, start="2026-01-01T00:00:00+00:00", end="2026-04-01T00:00:00+00:00"
    )
    assert (quarter["openingBalance"], quarter["closingBalance"]) == ("0", "500")

    lines = (await gql(CSV, w=str(wallet_id), month="2026-04"))["walletStatement"]["csv"]
    header, line = lines.splitlines()
    assert header == (
        "entry_id,at,kind,credits,paid_credits,free_credits,balance_after,value,description,"
        "metric,units,unit_label"
    )
    assert line.split(",")[1:] == [
        "2026-04-02T00:00:00+00:00",
        "consumption",
        "-250",
        "-250",
        "0",
        "250",
        "-2.50",
        "−250 credits · 50 documents analyzed",
        "documents",
        "50",
        "documents analyzed",
    ]


async def test_a_customer_token_reads_only_its_own_statements(gql: GraphQLClient) -> None:
    acme = await create_customer(gql, "acme")
    beta = await create_customer(gql, "beta")
    minted = await gql(
        """mutation { createCustomerToken(customerExternalId: "acme") {
          ... on CustomerToken { token } } }"""
    )
    as_acme = GraphQLClient(gql.http, minted["createCustomerToken"]["token"])
    own = await statement(as_acme, acme, month="2026-01")
    assert own["closingBalance"] == "0"
    body = await as_acme.raw(STATEMENT, w=str(beta), month="2026-01")
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert body["data"] is None


async def test_bad_ranges_are_typed_errors_naming_the_field(gql: GraphQLClient) -> None:
    wallet_id = await create_customer(gql, "acme")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"month": "2026-13"}, "month", "invalid_month"),
        ({"month": "26-1"}, "month", "invalid_month"),
        ({"month": "2026-01", "start": "2026-01-01T00:00:00+00:00"}, "month", "invalid"),
        ({"start": "2026-01-01T00:00:00+00:00"}, "end", "invalid"),
        (
            {"start": "2026-02-01T00:00:00+00:00", "end": "2026-01-01T00:00:00+00:00"},
            "end",
            "invalid_range",
        ),
        (
            {"start": "2025-01-01T00:00:00+00:00", "end": "2026-01-03T00:00:00+00:00"},
            "end",
            "too_long",
        ),
    ]
    for args, field, code in cases:
        body = await gql.raw(STATEMENT, w=str(wallet_id), **args)
        [error] = body["errors"]
        assert (error["extensions"]["field"], error["extensions"]["code"]) == (field, code), body
    missing = await gql.raw(STATEMENT, w="999999", month="2026-01")
    assert missing["errors"][0]["extensions"]["field"] == "walletId"
