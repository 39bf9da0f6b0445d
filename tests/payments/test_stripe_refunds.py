"""Refunds through Stripe: the SDK's Refund against the local fake of Stripe's API, with our
refund's idempotency key, end to end from ``refundCredits``."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from app.clock import FrozenClock
from app.config import Settings
from app.flows import refunds
from app.payments.providers import ChargeRequest, OutcomeStatus, RefundRequest
from app.payments.providers.stripe import StripeProvider
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import burn, check_wallet
from tests.payments.fake_stripe import API_KEY, FakeStripe
from tests.payments.support import balance, customer_with_method, rows, settle_all, top_up
from tests.recharge.test_refunds import REFUNDS, refund
from workers.system import JobSystem


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
    )


def _request(reference: str, amount: int, key: str = "tally-refund-1") -> RefundRequest:
    return RefundRequest(
        idempotency_key=key,
        charge_reference=reference,
        amount_minor=amount,
        currency="USD",
        metadata={"tally_refund": "CN-000001"},
    )


async def test_a_refund_replays_by_key_and_never_exceeds_the_charge(
    fake_stripe: FakeStripe,
) -> None:
    provider = StripeProvider(API_KEY, fake_stripe.url)
    charge = await provider.charge(
        ChargeRequest("tally-payment-1", 1000, "USD", "pm_card_visa", None, "Invoice")
    )
    assert charge.reference == "pi_fake_1"
    first = await provider.refund(_request("pi_fake_1", 400))
    assert (first.status, first.reference) == (OutcomeStatus.SUCCEEDED, "re_fake_1")
    again = await provider.refund(_request("pi_fake_1", 400))
    assert again.reference == "re_fake_1" and len(fake_stripe.refunds) == 1
    too_much = await provider.refund(_request("pi_fake_1", 601, key="tally-refund-2"))
    assert too_much.status is OutcomeStatus.FAILED
    assert too_much.failure_reason is not None and "greater than" in too_much.failure_reason
    found = await provider.retrieve_refund("re_fake_1")
    assert found.status is OutcomeStatus.SUCCEEDED


async def test_refund_credits_through_stripe_end_to_end(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    fake_stripe: FakeStripe,
) -> None:
    wallet_id = await customer_with_method(gql, "acme", None)
    added = await gql(
        """mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) {
          __typename } }""",
        input={"customerExternalId": "acme", "reference": "pm_card_visa", "providerCustomer": "c"},
    )
    assert added["addPaymentMethod"]["__typename"] == "PaymentMethodPayload"
    started = await top_up(gql, wallet_id, "buy", credits="700")  # 7.00 USD
    invoice_id = started["recharge"]["invoice"]["id"]
    await settle_all(database_url, jobs, clock)
    await burn(runtime, wallet_id, "100")

    answer = await refund(gql, invoice_id, "r-1")
    assert answer["__typename"] == "RefundPayload", answer
    assert answer["refund"]["credits"] == "600"
    assert answer["refund"]["amount"]["amount"] == "6.00"
    assert answer["refund"]["provider"] == "STRIPE"
    await settle_all(database_url, jobs, clock)
    [done] = (await gql(REFUNDS, id=invoice_id))["refunds"]
    assert (done["status"], done["providerReference"]) == ("SUCCEEDED", "re_fake_1")
    [made] = fake_stripe.refunds.values()
    assert (made["amount"], made["payment_intent"]) == (600, "pi_fake_1")
    assert made["metadata"]["tally_refund"] == "CN-000001"
    refund_id = int(done["id"])
    assert fake_stripe.refund_keys_seen == [f"tally-refund-{refund_id}"]

    # The job running again (a lapsed lease) sends nothing more.
    await refunds.send(runtime, refund_id)
    assert len(fake_stripe.refunds) == 1 and len(fake_stripe.refund_keys_seen) == 1
    assert await balance(gql, wallet_id) == Decimal(0)
    await check_wallet(runtime.db, wallet_id)


async def test_a_refund_the_provider_refuses_stays_failed_with_the_reason(
    gql: GraphQLClient,
    runtime: Runtime,
    database_url: str,
    jobs: JobSystem,
    clock: FrozenClock,
    fake_stripe: FakeStripe,
) -> None:
    wallet_id = await customer_with_method(gql, "acme", None)
    await gql(
        """mutation($input: AddPaymentMethodInput!) { addPaymentMethod(input: $input) {
          __typename } }""",
        input={"customerExternalId": "acme", "reference": "pm_card_visa", "providerCustomer": "c"},
    )
    started = await top_up(gql, wallet_id, "buy", credits="700")
    invoice_id = started["recharge"]["invoice"]["id"]
    await settle_all(database_url, jobs, clock)
    fake_stripe.refunds["re_outside"] = {"amount": 700, "payment_intent": "pi_fake_1"}  # a
    # refund made in Stripe's dashboard: nothing is left to return
    answer = await refund(gql, invoice_id, "r-1", credits="100")
    assert answer["__typename"] == "RefundPayload", answer
    await settle_all(database_url, jobs, clock)
    found = await rows(runtime.db, "SELECT status, failure_reason FROM refunds")
    assert found[0][0] == "failed"
    assert found[0][1].startswith("invalid_request: Refund amount (100) is greater than")
    assert await balance(gql, wallet_id) == Decimal(600)  # the credits stay voided
