"""Every request gets an id: the client's ``x-request-id`` when it sent a sensible one, or a new
one. It is returned in the response's ``x-request-id``, set for the logs of the request
(``app.logs.REQUEST_ID``), and named by the one log line an unexpected error gets.

An exception that escapes a route is logged here, once, with the request id (uvicorn would log
it again with the whole ASGI scope around it), and answered with a JSON 500 that names the id,
so a client can quote it.
"""

from __future__ import annotations

import logging
import re
import uuid

import orjson
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.logs import REQUEST_ID

HEADER = "x-request-id"
_SENSIBLE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

log = logging.getLogger("tally.http")


def request_id(scope: Scope) -> str:
    """The id of this request (set by the middleware), or a new one."""
    found = scope.get("state", {}).get("request_id")
    return str(found) if found else uuid.uuid4().hex


def _chosen(scope: Scope) -> str:
    sent = Headers(scope=scope).get(HEADER, "")
    return sent if _SENSIBLE.fullmatch(sent) else uuid.uuid4().hex


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        rid = _chosen(scope)
        scope.setdefault("state", {})["request_id"] = rid
        token = REQUEST_ID.set(rid)
        try:
            if scope["type"] == "http":
                await self._http(scope, receive, send, rid)
            else:
                await self.app(scope, receive, send)
        finally:
            REQUEST_ID.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, rid: str) -> None:
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message).append(HEADER, rid)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unexpected error in %s %s (request %s)", scope["method"], scope["path"], rid
            )
            if not started:
                await _unexpected(send, rid)


async def _unexpected(send: Send, rid: str) -> None:
    body = orjson.dumps(
        {
            "error": {
                "code": "unexpected",
                "field": None,
                "message": f"Unexpected error; quote request {rid} to the operator.",
            }
        }
    )
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (HEADER.encode(), rid.encode()),
    ]
    await send({"type": "http.response.start", "status": 500, "headers": headers})
    await send({"type": "http.response.body", "body": body})
