"""A real webhook receiver for the tests (an HTTP server on 127.0.0.1 in its own thread) that
verifies every request's signature as a customer's receiver would, and answers with scripted
status codes. Also ``settle``: relay the outbox and run jobs until nothing is left to do."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.clock import FrozenClock
from app.webhooks import signing
from tests.conftest import relay_all
from workers.system import JobSystem


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    problem: str | None

    @property
    def event(self) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.body)
        return parsed


class Receiver:
    """Set ``secret`` to verify; ``statuses`` are the next answers (then 200). A receiver that
    is ``held`` answers nothing until ``release()`` (a slow receiver, without sleeping)."""

    def __init__(self, clock: FrozenClock) -> None:
        self.clock = clock
        self.secret: str | None = None
        self.statuses: list[int] = []
        self.port = 0
        self._requests: list[Request] = []
        self._lock = threading.Lock()
        self._gate = threading.Event()
        self._gate.set()
        self.waiting = 0  # requests being held right now

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    def _wait_for_gate(self) -> None:
        with self._lock:
            self.waiting += 1
        self._gate.wait(60)
        with self._lock:
            self.waiting -= 1

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def receive(self, path: str, headers: dict[str, str], body: bytes) -> int:
        self._wait_for_gate()
        verified, problem = False, None
        try:
            assert self.secret is not None, "the test set no secret"
            header = headers.get(signing.HEADER.lower())
            signing.verify(self.secret, header, body, int(self.clock.now().timestamp()))
            verified = True
        except (signing.SignatureError, AssertionError) as error:
            problem = str(error)
        with self._lock:
            self._requests.append(Request(path, headers, body, verified, problem))
            if not verified:
                return 400
            return self.statuses.pop(0) if self.statuses else 200

    @property
    def requests(self) -> list[Request]:
        with self._lock:
            return list(self._requests)

    def verified(self, event_type: str | None = None) -> list[Request]:
        return [
            r
            for r in self.requests
            if r.verified and (event_type is None or r.event["type"] == event_type)
        ]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = receiver.receive(self.path, headers, body)
            self.send_response(status)
            self.send_header("content-type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if status < 300 else b"receiver says no")

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def webhook_receiver(clock: FrozenClock) -> Iterator[Receiver]:
    receiver = Receiver(clock)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def settle(database_url: str, jobs: JobSystem, clock: FrozenClock) -> int:
    """Relay and run jobs until no due outbox row is left; returns how many rows were sent."""
    total = 0
    for _ in range(20):
        sent = await relay_all(database_url, jobs, clock)
        if sent == 0:
            return total
        total += sent
    raise AssertionError("the outbox never settled")


CREATE_ENDPOINT = """
mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) {
  __typename
  ... on CreateWebhookEndpointPayload { secret endpoint { id url eventTypes active secretHint } }
  ... on Error { code field message }
} }"""


async def create_endpoint(gql: Any, url: str, event_types: list[str], **extra: Any) -> str:
    """Create an endpoint through the API; returns its signing secret."""
    data = await gql(CREATE_ENDPOINT, input={"url": url, "eventTypes": event_types, **extra})
    payload = data["createWebhookEndpoint"]
    assert payload["__typename"] == "CreateWebhookEndpointPayload", payload
    secret: str = payload["secret"]
    return secret
