"""A local HTTP fake of the slice of Stripe's API Tally uses, so the real SDK code runs.

``POST /v1/payment_intents`` creates and confirms a PaymentIntent; it honours
``Idempotency-Key`` like Stripe (the same key replays the first response, without creating
another). The payment method decides the outcome:

    pm_card_visa             succeeded
    pm_card_chargeDeclined   402 card_error (the PaymentIntent needs another method)
    pm_card_processing       processing (settled later by ``finish`` and a webhook)

``GET /v1/payment_intents/{id}`` returns one. ``POST /v1/refunds`` refunds (part of) a
succeeded PaymentIntent, at most what is left of it (else 400 ``invalid_request_error``), with
the same ``Idempotency-Key`` replay; ``GET /v1/refunds/{id}`` returns one.
It runs with uvicorn on 127.0.0.1 in a thread.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

API_KEY = "sk_test_tally_fake"

DECLINE = {
    "code": "card_declined",
    "decline_code": "generic_decline",
    "message": "Your card was declined.",
    "type": "card_error",
}


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(body), status, media_type="application/json")


@dataclass
class FakeStripe:
    intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    replies: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    create_requests: list[dict[str, str]] = field(default_factory=list)
    keys_seen: list[str | None] = field(default_factory=list)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    refund_keys_seen: list[str | None] = field(default_factory=list)
    url: str = ""
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def created(self) -> int:
        """PaymentIntents actually created (each is one charge)."""
        return len(self.intents)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v1/payment_intents", self.create, methods=["POST"]),
                Route("/v1/payment_intents/{id}", self.retrieve, methods=["GET"]),
                Route("/v1/refunds", self.refund, methods=["POST"]),
                Route("/v1/refunds/{id}", self.retrieve_refund, methods=["GET"]),
            ]
        )

    async def create(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return _json({"error": {"type": "invalid_request_error", "message": "bad key"}}, 401)
        params = dict(parse_qsl((await request.body()).decode()))
        key = request.headers.get("idempotency-key")
        self.create_requests.append(params)
        self.keys_seen.append(key)
        if key is not None and key in self.replies:
            status, body = self.replies[key]
            return _json(body, status)
        status, body = self._confirm(params)
        if key is not None:
            self.replies[key] = (status, body)
        return _json(body, status)

    def _confirm(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        intent = {
            "id": f"pi_fake_{len(self.intents) + 1}",
            "object": "payment_intent",
            "amount": int(params["amount"]),
            "currency": params["currency"],
            "customer": params.get("customer"),
            "payment_method": params["payment_method"],
            "metadata": {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")},
            "status": "succeeded",
            "last_payment_error": None,
            "created": int(time.time()),
        }
        self.intents[intent["id"]] = intent
        method = params["payment_method"]
        if method == "pm_card_processing":
            intent["status"] = "processing"
        if method == "pm_card_chargeDeclined":
            intent["status"] = "requires_payment_method"
            intent["last_payment_error"] = DECLINE
            return 402, {"error": {**DECLINE, "payment_intent": intent}}
        return 200, intent

    async def retrieve(self, request: Request) -> Response:
        intent = self.intents.get(request.path_params["id"])
        if intent is None:
            return _json({"error": {"type": "invalid_request_error", "message": "no such"}}, 404)
        return _json(intent)

    async def refund(self, request: Request) -> Response:
        if request.headers.get("authorization") != f"Bearer {API_KEY}":
            return _json({"error": {"type": "invalid_request_error", "message": "bad key"}}, 401)
        params = dict(parse_qsl((await request.body()).decode()))
        key = request.headers.get("idempotency-key")
        self.refund_keys_seen.append(key)
        if key is not None and key in self.replies:
            status, body = self.replies[key]
            return _json(body, status)
        status, body = self._refund(params)
        if key is not None:
            self.replies[key] = (status, body)
        return _json(body, status)

    def _refund(self, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        intent = self.intents.get(params.get("payment_intent", ""))
        if intent is None or intent["status"] != "succeeded":
            error = {"type": "invalid_request_error", "message": "No such payment_intent"}
            return 400, {"error": error}
        amount = int(params.get("amount", intent["amount"]))
        refunded = sum(
            r["amount"] for r in self.refunds.values() if r["payment_intent"] == intent["id"]
        )
        if amount <= 0 or refunded + amount > intent["amount"]:
            message = f"Refund amount ({amount}) is greater than unrefunded amount"
            return 400, {"error": {"type": "invalid_request_error", "message": message}}
        refund = {
            "id": f"re_fake_{len(self.refunds) + 1}",
            "object": "refund",
            "amount": amount,
            "currency": intent["currency"],
            "payment_intent": intent["id"],
            "metadata": {k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")},
            "status": "succeeded",
            "created": int(time.time()),
        }
        self.refunds[refund["id"]] = refund
        return 200, refund

    async def retrieve_refund(self, request: Request) -> Response:
        refund = self.refunds.get(request.path_params["id"])
        if refund is None:
            return _json({"error": {"type": "invalid_request_error", "message": "no such"}}, 404)
        return _json(refund)

    def finish(self, intent_id: str, status: str) -> dict[str, Any]:
        """Move a processing PaymentIntent on (what the card network does later)."""
        intent = self.intents[intent_id]
        intent["status"] = status
        if status == "requires_payment_method":
            intent["last_payment_error"] = DECLINE
        return intent

    def start(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        config = uvicorn.Config(
            self.app(), log_level="warning", lifespan="off", ws="none", http="h11"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listener]}, daemon=True
        )
        self._thread.start()
        for _ in range(200):
            if self._server.started:
                return
            time.sleep(0.01)
        raise RuntimeError("the fake Stripe did not start")

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=5)
