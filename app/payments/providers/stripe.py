"""Stripe, through the official SDK: off-session PaymentIntents, created and confirmed in one
call, with our payment's idempotency key (so a retried job gets the same PaymentIntent back).
Requests use the SDK's default HTTP client (requests) in a worker thread, off the event loop.

A decline (``CardError``) or a request Stripe refuses for good (``InvalidRequestError``) is a
failed outcome; an unreachable or failing Stripe raises ``ProviderError`` and the job retries.
A PaymentIntent still ``processing`` is settled by Stripe's webhook, or asked about again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import stripe
from stripe.params import PaymentIntentCreateParams

from app.payments.errors import ProviderError
from app.payments.providers.base import ChargeRequest, Outcome, OutcomeStatus

CHECK_AFTER = timedelta(minutes=15)
TIMEOUT_SECONDS = 30.0

_Request = Callable[[stripe.StripeClient], stripe.PaymentIntent]


class StripeProvider:
    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None) -> None:
        self.api_key = api_key
        self.api_base = api_base

    def check_method(self, reference: str) -> str | None:
        if reference.startswith("pm_"):
            return None
        return "a Stripe payment method id starts with 'pm_'"

    async def charge(self, request: ChargeRequest) -> Outcome:
        params: PaymentIntentCreateParams = {
            "amount": request.amount_minor,
            "currency": request.currency.lower(),
            "payment_method": request.method_reference,
            "off_session": True,
            "confirm": True,
            "description": request.description,
            "metadata": dict(request.metadata),
        }
        if request.provider_customer:
            params["customer"] = request.provider_customer
        options: stripe.RequestOptions = {"idempotency_key": request.idempotency_key}
        return await self._call(lambda c: c.v1.payment_intents.create(params, options))

    async def retrieve(self, reference: str) -> Outcome:
        return await self._call(lambda c: c.v1.payment_intents.retrieve(reference))

    async def _call(self, request: _Request) -> Outcome:
        try:
            return outcome(await asyncio.to_thread(self._send, request))
        except stripe.CardError as error:
            return _declined(error)
        except stripe.InvalidRequestError as error:
            return Outcome(OutcomeStatus.FAILED, None, _reason(error, "invalid_request"))
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: {error.user_message or error}") from error

    def _send(self, request: _Request) -> stripe.PaymentIntent:
        """One request with the SDK's default (requests) client, in a worker thread."""
        http = stripe.RequestsClient(timeout=TIMEOUT_SECONDS)
        client = stripe.StripeClient(
            self.api_key,
            base_addresses={"api": self.api_base} if self.api_base else None,
            http_client=http,
            max_network_retries=2,
        )
        try:
            return request(client)
        finally:
            http.close()  # type: ignore[no-untyped-call]


def outcome(intent: stripe.PaymentIntent) -> Outcome:
    """What a PaymentIntent's status means for our payment."""
    if intent.status == "succeeded":
        return Outcome(OutcomeStatus.SUCCEEDED, intent.id)
    if intent.status == "processing":
        return Outcome(OutcomeStatus.PROCESSING, intent.id, check_after=CHECK_AFTER)
    last = intent.last_payment_error
    reason = f"{last.code or 'payment_failed'}: {last.message}" if last else None
    return Outcome(OutcomeStatus.FAILED, intent.id, reason or f"payment intent {intent.status}")


def _declined(error: stripe.CardError) -> Outcome:
    intent = error.error.payment_intent if error.error else None
    return Outcome(OutcomeStatus.FAILED, intent.id if intent else None, _reason(error, "declined"))


def _reason(error: stripe.StripeError, fallback: str) -> str:
    return f"{error.code or fallback}: {error.user_message or error}"[:500]
