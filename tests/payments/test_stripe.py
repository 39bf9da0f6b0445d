"""The Stripe provider against a local fake of Stripe's API (the real SDK code runs), the
crash-after-charge repair, and the signed webhook endpoint."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import orjson
import pytest

from app.clock import FrozenClock
from app.config import Settings
from app.flows import settlement
from app.payments import providers
from app.payments import service as payments
from app.payments.errors import ProviderError
from app.payments.providers import ChargeRequest, OutcomeStatus
from app.payments.providers.stripe import StripeProvider
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import check_wallet, count_rows
from tests.payments.fake_stripe import API_KEY, FakeStripe
from tests.payments.support import (
    balance,
    customer_with_method,
    recharge,
    rows,
    settle_all,
    top_up,
)
from workers.system import JobSystem

WEBHOOK_SECRET = "whsec_tally_test_secret"


@pytest.fixture
def fake_stripe() -> Iterator[FakeStripe]:
    fake = FakeStripe()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(fake_stripe: FakeStripe) -> Settings:
    return Settings(
        environment="test",
        api_key_cache_seconds=0,
        payment_provider="stripe",
        stripe_api_key=API_KEY,
        stripe_api_base=fake_stripe.url,
        stripe_webhook_secret=WEBHOOK_SECRET,
    )


def _request(method: str, key: str = "tally-payment-1") -> ChargeRequest:
    return ChargeRequest(
        idempotency_key=key,
        amount_minor=5000,
        currency="USD",
        method_reference=method,
        provider_customer="cus_123",
        description="Invoice TLY-000001",
        metadata={"tally_payment_id": "1"},
    )


async def test_a_charge_is_an_off_session_confirmed_payment_intent(
    fake_stripe: FakeStripe,
) -> None:
    provider = StripeProvider(API_KEY, fake_stripe.url)
    outcome = await provider.charge(_request("pm_card_visa"))
    assert outcome.status is OutcomeStatus.SUCCEEDED
    assert outcome.reference == "pi_fake_1"
    [sent] = fake_stripe.create_requests
    assert sent["amount"] == "5000" and sent["currency"] == "usd"
    assert sent["off_session"] == "true" and sent["confirm"] == "true"
    assert sent["customer"] == "cus_123" and sent["payment_method"] == "pm_card_visa"
    assert sent["metadata[tally_payment_id]"] == "1"
    assert fake_stripe.keys_seen == ["tally-payment-1"]


async def test_the_same_idempotency_key_finds_the_same_payment_intent(
    fake_stripe: FakeStripe,
) -> None:
    provider = StripeProvider(API_KEY, fake_stripe.url)
    first = await provider.charge(_request("pm_card_visa"))
    again = await provider.charge(_request("pm_card_visa"))
    assert again.reference == first.reference
    assert fake_stripe.created == 1
    other = await provider.charge(_request("pm_card_visa", key="tally-payment-2"))
    assert other.reference != first.reference and fake_stripe.created == 2


async def test_a_decline_is_a_failed_outcome_naming_the_payment_intent(
    fake_stripe: FakeStripe,
) -> None:
    provider = StripeProvider(API_KEY, fake_stripe.url)
    outcome = await provider.charge(_request("pm_card_chargeDeclined"))
    assert outcome.status is OutcomeStatus.FAILED
    assert outcome.reference == "pi_fake_1"
    assert outcome.failure_reason == "card_declined: Your card was declined."


async def test_processing_is_asked_about_again_later(fake_stripe: FakeStripe) -> None:
    provider = StripeProvider(API_KEY, fake_stripe.url)
    outcome = await provider.charge(_request("pm_card_processing"))
    assert outcome.status is OutcomeStatus.PROCESSING and outcome.check_after is not None
    assert outcome.reference is not None
    fake_stripe.finish(outcome.reference, "succeeded")
    later = await provider.retrieve(outcome.reference)
    assert later.status is OutcomeStatus.SUCCEEDED


async def test_an_unreachable_stripe_is_an_error_to_retry() -> None:
    provider = StripeProvider(API_KEY, "http://127.0.0.1:9")
    with pytest.raises(ProviderError):
        await provider.charge(_request("pm_card_visa"))


async def _stripe_top_up(gql: GraphQLClient, reference: str = "pm_card_visa") -> tuple[int, Any]:
    wallet_id = await customer_with_method(gql, "acme", None)
    added = await gql(
        """mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) {
          __typename ... on PaymentMethodPayload { paymentMethod { provider } } } }""",
        input={"customerExternalId": "acme", "reference": reference, "providerCustomer": "cus_1"},
    )
    assert added["addPaymentMethod"]["paymentMethod"]["provider"] == "STRIPE"
    started = await top_up(gql, wallet_id, "buy", credits="500")
    assert started["__typename"] == "RechargePayload", started
    return wallet_id, started["recharge"]


async def test_top_up_through_stripe_end_to_end(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    fake_stripe: FakeStripe,
) -> None:
    wallet_id, bought = await _stripe_top_up(gql)
    await settle_all(database_url, jobs, clock)
    done = await recharge(gql, bought["id"])
    assert done["status"] == "SUCCEEDED"
    [payment] = done["invoice"]["payments"]
    assert payment["provider"] == "STRIPE" and payment["providerReference"] == "pi_fake_1"
    assert fake_stripe.keys_seen == [f"tally-payment-{payment['id']}"]
    assert await balance(gql, wallet_id) == Decimal(500)


async def test_the_job_dies_after_stripe_charged_and_the_retry_charges_once(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    fake_stripe: FakeStripe,
) -> None:
    wallet_id, bought = await _stripe_top_up(gql)
    [payment_id] = [r[0] for r in await rows(runtime.db, "SELECT id FROM payments")]

    # The first run of the job, step by step: the attempt is marked, Stripe charges …
    async with runtime.db.transaction() as session:
        attempt = await payments.begin_attempt(session, payment_id, clock.now())
    assert attempt is not None
    accepted = await providers.build("stripe", runtime.settings).charge(attempt.request)
    assert accepted.status is OutcomeStatus.SUCCEEDED and fake_stripe.created == 1
    # … and the process dies before recording the answer: nothing landed.
    assert await balance(gql, wallet_id) == 0

    # The job's message is still due (the outbox row, or Dramatiq's retry): it runs again.
    await settle_all(database_url, jobs, clock)
    assert fake_stripe.created == 1  # one charge …
    assert len(fake_stripe.create_requests) == 2  # … found again by its idempotency key
    assert set(fake_stripe.keys_seen) == {f"tally-payment-{payment_id}"}
    [row] = await rows(runtime.db, "SELECT status, attempts, provider_reference FROM payments")
    assert tuple(row) == ("succeeded", 2, "pi_fake_1")
    assert await count_rows(runtime.db, "grants") == 1  # one grant
    assert await balance(gql, wallet_id) == Decimal(500)

    # A duplicate delivery of the job finds the payment settled and charges nothing.
    await settlement.charge(runtime, payment_id)
    assert len(fake_stripe.create_requests) == 2
    assert (await recharge(gql, bought["id"]))["status"] == "SUCCEEDED"
    await check_wallet(runtime.db, wallet_id)


def _signed(event: dict[str, Any], secret: str = WEBHOOK_SECRET) -> tuple[bytes, str]:
    payload = orjson.dumps(event)
    stamp = int(time.time())  # Stripe's SDK checks signatures against the real clock
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256)
    return payload, f"t={stamp},v1={digest.hexdigest()}"


def _event(kind: str, intent: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "evt_1",
        "object": "event",
        "type": kind,
        "api_version": "2024-06-20",
        "created": 1767225600,
        "livemode": False,
        "data": {"object": intent},
    }


async def _post(http: httpx.AsyncClient, payload: bytes, signature: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if signature is not None:
        headers["stripe-signature"] = signature
    return await http.post("/v1/stripe/webhook", content=payload, headers=headers)


async def test_the_webhook_settles_a_processing_payment(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    fake_stripe: FakeStripe,
) -> None:
    wallet_id, bought = await _stripe_top_up(gql, "pm_card_processing")
    await settle_all(database_url, jobs, clock)
    assert (await recharge(gql, bought["id"]))["status"] == "PENDING"

    intent = fake_stripe.finish("pi_fake_1", "succeeded")
    payload, signature = _signed(_event("payment_intent.succeeded", intent))
    answer = await _post(http, payload, signature)
    assert answer.status_code == 200 and answer.json() == {"received": True, "handled": True}
    assert (await recharge(gql, bought["id"]))["status"] == "SUCCEEDED"
    assert await balance(gql, wallet_id) == Decimal(500)

    again = await _post(http, payload, signature)  # Stripe delivers at least once
    assert again.status_code == 200
    clock.advance(timedelta(hours=1))  # the scheduled check finds it settled
    await settle_all(database_url, jobs, clock)
    assert await count_rows(runtime.db, "grants") == 1
    assert await balance(gql, wallet_id) == Decimal(500)


async def test_a_failed_payment_intent_webhook_fails_the_top_up(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    fake_stripe: FakeStripe,
) -> None:
    wallet_id, bought = await _stripe_top_up(gql, "pm_card_processing")
    await settle_all(database_url, jobs, clock)
    intent = fake_stripe.finish("pi_fake_1", "requires_payment_method")
    payload, signature = _signed(_event("payment_intent.payment_failed", intent))
    assert (await _post(http, payload, signature)).status_code == 200
    failed = await recharge(gql, bought["id"])
    assert failed["status"] == "FAILED"
    assert failed["invoice"]["payments"][0]["failureReason"] == (
        "card_declined: Your card was declined."
    )
    assert await balance(gql, wallet_id) == 0


async def test_a_webhook_body_over_1_mib_is_not_read_to_its_end(http: httpx.AsyncClient) -> None:
    """Anyone may post to the webhook: a body streamed without ``Content-Length`` is given up
    at the limit (413), not read whole into memory (it was; found with the events fuzz)."""
    mib = 1024 * 1024
    read = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(64):
            read += mib
            yield b"x" * mib

    answer = await http.post("/v1/stripe/webhook", content=endless())
    assert answer.status_code == 413
    assert read <= 3 * mib


@pytest.mark.parametrize("forgery", ["wrong-secret", "tampered", "unsigned", "not-json"])
async def test_a_forged_webhook_is_refused_and_writes_nothing(
    forgery: str,
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    fake_stripe: FakeStripe,
) -> None:
    wallet_id, bought = await _stripe_top_up(gql, "pm_card_processing")
    await settle_all(database_url, jobs, clock)
    before = await count_rows(runtime.db, "outbox")
    intent = fake_stripe.finish("pi_fake_1", "succeeded")
    payload, signature = _signed(_event("payment_intent.succeeded", intent))
    if forgery == "wrong-secret":
        payload, signature = _signed(_event("payment_intent.succeeded", intent), "whsec_other")
    elif forgery == "tampered":
        payload = payload.replace(b'"livemode":false', b'"livemode":true')
    elif forgery == "not-json":
        payload, signature = _signed({"x": 1})
        payload = b"{not json"
    answer = await _post(http, payload, None if forgery == "unsigned" else signature)
    assert answer.status_code == 400
    assert (await recharge(gql, bought["id"]))["status"] == "PENDING"
    assert await count_rows(runtime.db, "outbox") == before
    assert await balance(gql, wallet_id) == 0


async def test_events_for_payment_intents_tally_did_not_create_are_ignored(
    http: httpx.AsyncClient, fake_stripe: FakeStripe
) -> None:
    intent = {"id": "pi_other", "object": "payment_intent", "status": "succeeded", "created": 1}
    payload, signature = _signed(_event("payment_intent.succeeded", {**intent, "metadata": {}}))
    answer = await _post(http, payload, signature)
    assert answer.status_code == 200 and answer.json() == {"received": True, "handled": False}
    payload, signature = _signed(_event("customer.created", {"id": "cus_1", "object": "customer"}))
    assert (await _post(http, payload, signature)).json()["handled"] is False
