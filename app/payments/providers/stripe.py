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
from typing import TypeVar

import stripe
from stripe.params import PaymentIntentCreateParams, RefundCreateParams

from app.payments.errors import ProviderError
from app.payments.providers.base import ChargeRequest, Outcome, OutcomeStatus, RefundRequest

CHECK_AFTER = timedelta(minutes=15)
TIMEOUT_SECONDS = 30.0

T = TypeVar("T")
_Request = Callable[[stripe.StripeClient], stripe.PaymentIntent]
_RefundCall = Callable[[stripe.StripeClient], stripe.Refund]


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

    async def refund(self, request: RefundRequest) -> Outcome:
        """A Refund of the PaymentIntent, with our refund's idempotency key."""
        params: RefundCreateParams = {
            "payment_intent": request.charge_reference,
            "amount": request.amount_minor,
            "metadata": dict(request.metadata),
        }
        options: stripe.RequestOptions = {"idempotency_key": request.idempotency_key}
        return await self._refund_call(lambda c: c.v1.refunds.create(params, options))

    async def retrieve_refund(self, reference: str) -> Outcome:
        return await self._refund_call(lambda c: c.v1.refunds.retrieve(reference))

    async def _refund_call(self, request: _RefundCall) -> Outcome:
        try:
            return refund_outcome(await asyncio.to_thread(self._send, request))
        except stripe.InvalidRequestError as error:
            return Outcome(OutcomeStatus.FAILED, None, _reason(error, "invalid_request"))
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: {error.user_message or error}") from error

    async def _call(self, request: _Request) -> Outcome:
        try:
            return outcome(await asyncio.to_thread(self._send, request))
        except stripe.CardError as error:
            return _declined(error)
        except stripe.InvalidRequestError as error:
            return Outcome(OutcomeStatus.FAILED, None, _reason(error, "invalid_request"))
        except stripe.StripeError as error:
            raise ProviderError(f"stripe: {error.user_message or error}") from error

    def _send(self, request: Callable[[stripe.StripeClient], T]) -> T:
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


def refund_outcome(refund: stripe.Refund) -> Outcome:
    """What a Refund's status means for our refund (``pending``: ask again later)."""
    if refund.status == "succeeded":
        return Outcome(OutcomeStatus.SUCCEEDED, refund.id)
    if refund.status in ("pending", "requires_action"):
        return Outcome(OutcomeStatus.PROCESSING, refund.id, check_after=CHECK_AFTER)
    reason = refund.failure_reason or f"refund {refund.status}"
    return Outcome(OutcomeStatus.FAILED, refund.id, reason)


def _declined(error: stripe.CardError) -> Outcome:
    intent = error.error.payment_intent if error.error else None
    return Outcome(OutcomeStatus.FAILED, intent.id if intent else None, _reason(error, "declined"))


def _reason(error: stripe.StripeError, fallback: str) -> str:
    return f"{error.code or fallback}: {error.user_message or error}"[:500]
