"""S1 (events) and S2 (idempotency of events), end to end through GraphQL and POST /v1/events."""

from __future__ import annotations

import httpx
import pytest

from app.db.engine import Database
from tests.conftest import GraphQLClient
from tests.metering.support import (
    assert_invariant,
    ingest,
    s1_events,
    setup_s1,
    wallet,
)


@pytest.mark.parametrize("surface", ["graphql", "http"])
async def test_s1_events_debit_free_credits_first_with_value_translation(
    surface: str, gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    wallet_id = await setup_s1(gql)
    assert (await wallet(gql, wallet_id))["balance"] == "6000"

    payload = await ingest(surface, gql, http, s1_events())

    assert (payload["accepted"], payload["duplicates"], payload["rejected"]) == (310, 0, 0)
    assert {r["status"] for r in payload["results"]} == {"ACCEPTED"}
    assert [r["index"] for r in payload["results"]] == list(range(310))
    assert payload["wallets"] == [
        {"walletId": wallet_id, "customerExternalId": "acme", "currency": "USD", "balance": "5200"}
    ]
    found = await wallet(gql, wallet_id)
    assert found["balance"] == "5200" and found["debt"] == "0"
    remaining = {g["kind"]: g["remaining"] for g in found["grants"]["nodes"]}
    assert remaining == {"FREE": "200", "PAID": "5000"}
    consumption = [e for e in found["ledgerEntries"]["nodes"] if e["kind"] == "CONSUMPTION"]
    assert sorted(e["description"] for e in consumption) == [
        "−300 credits · 300 API calls",
        "−500 credits · 10 reports generated",
    ]
    report = next(e for e in consumption if e["metricCode"] == "report_generated")
    assert (report["credits"], report["units"], report["unitLabel"]) == (
        "-500",
        "10",
        "reports generated",
    )
    assert report["causeType"] == "event_batch"
    assert sum(int(a["credits"]) for e in consumption for a in e["allocations"]) == 800
    await assert_invariant(db)


async def test_s2_resent_events_are_duplicates_on_both_surfaces(
    gql: GraphQLClient, http: httpx.AsyncClient, db: Database
) -> None:
    wallet_id = await setup_s1(gql)
    await ingest("http", gql, http, s1_events())
    entries_before = (await wallet(gql, wallet_id))["ledgerEntries"]["nodes"]

    for surface in ("graphql", "http"):
        payload = await ingest(surface, gql, http, s1_events())
        assert (payload["accepted"], payload["duplicates"], payload["rejected"]) == (0, 310, 0)
        assert {r["status"] for r in payload["results"]} == {"DUPLICATE"}
        assert payload["wallets"] == []

    found = await wallet(gql, wallet_id)
    assert found["balance"] == "5200"
    assert found["ledgerEntries"]["nodes"] == entries_before
    await assert_invariant(db)


async def test_a_repeated_transaction_id_within_one_batch_is_charged_once(
    gql: GraphQLClient, http: httpx.AsyncClient
) -> None:
    wallet_id = await setup_s1(gql)
    event = {"transaction_id": "same", "customer_external_id": "acme", "metric_code": "api_call"}

    payload = await ingest("http", gql, http, [event, event, event])

    assert [r["status"] for r in payload["results"]] == ["ACCEPTED", "DUPLICATE", "DUPLICATE"]
    assert (await wallet(gql, wallet_id))["balance"] == "5999"
