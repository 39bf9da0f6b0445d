"""``POST /v1/events``: the batch endpoint for backends.

    POST /v1/events
    Authorization: Bearer <key with the ingest or admin scope>
    {"events": [{"transaction_id": "…", "customer_external_id": "acme", "metric_code": "api_call",
                 "timestamp": "2026-01-15T12:00:00Z", "properties": {…}}, …]}   (1 to 1,000)

200 with one result per event (accepted, duplicate, or rejected with an error naming the field)
and the new balance of every wallet the batch debited. Text PostgreSQL cannot store (NUL, a
lone surrogate), properties beyond the JSON limits and values too large reject their event
only (``app.inputs``, ``app.metering.validation``). A body that is not JSON, not an object,
or without a list of events is a 400; more than 1,000 events (or a body over 8 MiB) is a 413;
nothing of such a request is stored. 401 without a valid key, 403 without the scope. 503
(``busy``, with ``Retry-After``) when concurrent changes undid the batch on every try
(``app.db.retry``): nothing of it is stored, and sending it again is safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app import inputs, metering
from app.access import Principal, Scope
from app.db.retry import Busy, TryAgain, retrying
from app.edge.body import read_at_most
from app.errors import DomainError, Unauthorized, ValidationFailed
from app.flows.group_commit import GROUPED, GroupCommit
from app.flows.headroom import Headroom
from app.flows.ingest import check_batch, ingest
from app.inputs import printable
from app.metering import REST_FIELDS, Outcome, Source, Status, Window
from app.runtime import Runtime

MAX_BODY = 8 * 1024 * 1024


class Rejected(Exception):
    """The whole request is refused: an HTTP status and a JSON error."""

    def __init__(self, status: int, error: DomainError) -> None:
        super().__init__(error.message)
        self.status, self.error = status, error


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(orjson.dumps(body), status, headers, media_type="application/json")


def _error(error: DomainError) -> dict[str, Any]:
    return {"code": error.code, "field": error.field, "message": error.message}


async def _principal(runtime: Runtime, request: Request) -> Principal:
    async with runtime.db.sessions() as session:
        try:
            principal = await runtime.keys.authenticate(
                session, request.headers.get("authorization")
            )
        except Unauthorized as error:
            raise Rejected(401, error) from None
    if not principal.can(Scope.INGEST):
        missing = Unauthorized("Authorization", "this API key lacks the 'ingest' scope")
        raise Rejected(403, missing)
    return principal


async def _events(request: Request) -> list[object]:
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY:
        raise Rejected(413, ValidationFailed(None, "the body is over 8 MiB", code="too_large"))
    body = await read_at_most(request, MAX_BODY)
    if body is None:
        raise Rejected(413, ValidationFailed(None, "the body is over 8 MiB", code="too_large"))
    try:
        payload = inputs.loads(body)
    except orjson.JSONDecodeError as error:
        message = printable(f"the body is not valid JSON: {error}")
        raise Rejected(400, ValidationFailed(None, message, code="malformed_json")) from None
    if not isinstance(payload, dict):
        raise Rejected(
            400, ValidationFailed(None, 'the body must be a JSON object {"events": […]}')
        )
    try:
        return check_batch(payload.get("events"))
    except ValidationFailed as error:
        raise Rejected(413 if error.code == "too_many" else 400, error) from None


def _body(outcome: Outcome) -> dict[str, Any]:
    results = []
    for result in outcome.results:
        item: dict[str, Any] = {
            "index": result.position,
            "transaction_id": result.transaction_id,
            "status": result.status.value,
        }
        if result.error is not None:
            item["error"] = _error(result.error)
        results.append(item)
    return {
        "accepted": outcome.count(Status.ACCEPTED),
        "duplicates": outcome.count(Status.DUPLICATE),
        "rejected": outcome.count(Status.REJECTED),
        "results": results,
        "wallets": [
            {
                "wallet_id": str(w.wallet_id),
                "customer_external_id": w.customer_external_id,
                "currency": w.currency,
                "balance": f"{w.balance.normalize():f}",
            }
            for w in outcome.wallets
        ],
    }


def events_route(runtime: Runtime) -> Route:
    settings = runtime.settings

    async def store(events: Sequence[object], source: Source) -> Outcome:
        """One batch in one transaction, run again as ``app.db.retry`` says."""
        window = Window.around(
            runtime.clock.now(), settings.backdating_days, settings.future_skew_seconds
        )
        headroom = Headroom()

        async def once() -> Outcome:
            async with runtime.db.transaction() as session:
                catalog = runtime.catalog
                outcome = await ingest(session, catalog, events, source, window, headroom)
                refused = metering.refused(events, outcome, source)
                await metering.record_rejections(session, refused, window.now)
            return outcome

        return await retrying(once, (TryAgain,))

    # Concurrent small requests share a transaction (``app.flows.group_commit``).
    groups = GroupCommit(store)

    async def post_events(request: Request) -> Response:
        try:
            principal = await _principal(runtime, request)
            events = await _events(request)
        except Rejected as rejected:
            headers = {"WWW-Authenticate": "Bearer"} if rejected.status == 401 else None
            return _json({"error": _error(rejected.error)}, rejected.status, headers)
        source = Source("http", principal.key_id, REST_FIELDS)
        grouped = len(events) <= GROUPED
        try:
            outcome = await (groups.submit(events, source) if grouped else store(events, source))
        except Busy as busy:
            return _json({"error": _error(busy)}, 503, {"Retry-After": "1"})
        return _json(_body(outcome))

    return Route("/v1/events", post_events, methods=["POST"])
