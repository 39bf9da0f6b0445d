"""``POST /v1/stripe/webhook``: Stripe tells us how a PaymentIntent ended.

The signature (``Stripe-Signature``, with the endpoint's secret ``TALLY_STRIPE_WEBHOOK_SECRET``)
is verified by the Stripe SDK before anything is read: a forged, stale or unsigned request is a
400 and writes nothing. ``payment_intent.succeeded``, ``.payment_failed``, ``.processing`` and
``.canceled`` for a PaymentIntent Tally created (its metadata names our payment) settle that
payment exactly as the charge job would — whichever of the two arrives first wins, the other
finds the payment settled. Other events are acknowledged (200) and ignored.
"""

from __future__ import annotations

from typing import Any

import orjson
import stripe
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.edge.body import read_at_most
from app.flows import settlement
from app.payments import Payment, stripe_outcome
from app.runtime import Runtime

PATH = "/v1/stripe/webhook"
MAX_BODY = 1024 * 1024
HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.processing",
    "payment_intent.canceled",
}


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


def _payment_id(intent: stripe.StripeObject) -> int | None:
    metadata = intent.to_dict().get("metadata") or {}
    value = str(metadata.get("tally_payment_id", ""))
    return int(value) if value.isascii() and value.isdigit() else None


def stripe_webhook_route(runtime: Runtime) -> Route:
    async def endpoint(request: Request) -> Response:
        secret = runtime.settings.stripe_webhook_secret
        if secret is None:
            return _json({"error": "Stripe webhooks are not configured"}, 400)
        payload = await read_at_most(request, MAX_BODY)
        if payload is None:
            return _json({"error": "body too large"}, 413)
        try:
            event = stripe.Webhook.construct_event(
                payload.decode("utf-8"),
                request.headers.get("stripe-signature"),
                secret.get_secret_value(),
            )
        except (ValueError, stripe.SignatureVerificationError):
            return _json({"error": "invalid payload or signature"}, 400)
        if event.type not in HANDLED:
            return _json({"received": True, "handled": False})
        intent = event.data.object
        handled = await _settle(runtime, _payment_id(intent), intent)
        return _json({"received": True, "handled": handled})

    return Route(PATH, endpoint, methods=["POST"])


async def _settle(runtime: Runtime, payment_id: int | None, intent: Any) -> bool:
    """Settle our payment the PaymentIntent belongs to; False when it is not one of ours."""
    if payment_id is None:
        return False
    async with runtime.db.transaction() as session:
        payment = await session.get(Payment, payment_id)
        if payment is None or payment.provider != "stripe":
            return False
        if payment.provider_reference not in (None, intent.id):
            return False
        answer = stripe_outcome(intent)
        await settlement.settle(session, payment_id, answer, runtime.settings, runtime.clock.now())
    return True
