"""The GraphQL endpoint: HTTP requests authenticate by header before the schema runs;
websockets (graphql-transport-ws) authenticate in ``connection_init`` and a bad credential
closes the connection with code 4403 and a reason that says what was wrong."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import datetime
from json import JSONDecodeError
from typing import Any, cast

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import NonJsonMessageReceived, NonTextMessageReceived
from strawberry.types.unset import UnsetType

from app import inputs
from app.access.auth import authenticate
from app.access.service import Principal
from app.errors import Unauthorized
from app.runtime import Runtime
from graphql_schema import ide
from graphql_schema.context import Context
from graphql_schema.limits import Limits, body
from graphql_schema.schema import Schema

CLOSE_REASON = "tally.close_reason"
MALFORMED = 4400  # graphql-transport-ws: a message the server cannot parse
TOKEN_EXPIRED = 4401  # graphql-transport-ws "Unauthorized": graphql-ws does not retry it
EXPIRED_REASON = "the customer token has expired: connect again with a new token"
EXPIRY = "tally.token_expiry"  # the task that closes the connection when its token expires


def unauthorized(error: Unauthorized) -> JSONResponse:
    body = {
        "errors": [
            {
                "message": error.message,
                "extensions": {"code": "UNAUTHENTICATED", "field": error.field},
            }
        ]
    }
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})


class _WebSocketAdapter(ASGIWebSocketAdapter):
    """Closes with the reason the view recorded (Strawberry's own says only "Forbidden"), and
    with 1009 on a message over the body-size limit, before decoding it."""

    async def close(self, code: int, reason: str) -> None:
        custom = self.ws.scope.get("state", {}).get(CLOSE_REASON)
        await super().close(code, custom or reason)

    async def iter_json(self, *, ignore_parsing_errors: bool = False) -> AsyncGenerator[object]:
        """Strawberry's loop, with the size check."""
        limit = cast("GraphQLView", self.view).limits.max_body_bytes
        try:
            while self.ws.application_state != WebSocketState.DISCONNECTED:
                text = await self.ws.receive_text()
                if body.message_too_large(text, limit):
                    await self.ws.close(body.TOO_BIG, body.close_reason(limit))
                    return
                try:
                    message = self.view.decode_json(text)
                except JSONDecodeError as error:
                    if not ignore_parsing_errors:
                        raise NonJsonMessageReceived from error
                    continue
                if not _well_formed(message):
                    await self.ws.close(MALFORMED, "Failed to parse message")
                    return
                yield message
        except KeyError as error:
            raise NonTextMessageReceived from error
        except WebSocketDisconnect:
            pass


def _well_formed(message: object) -> bool:
    """A JSON object whose id, if any, is a string; a subscribe message's payload an object
    with a string ``query`` (and variables an object, an operation name a string, if given).
    Strawberry reads these by key and uses them as they are: anything else (``[]``, a payload
    ``"x"``, a query ``5``, an id ``{}``) raised past its handling, logged at ERROR and, for
    some, dropped the connection without a close frame. Refused as Strawberry refuses a message
    it cannot parse."""
    if not isinstance(message, dict) or not isinstance(message.get("id", ""), str):
        return False
    if message.get("type") != "subscribe":
        return True
    payload = message.get("payload")
    return (
        isinstance(payload, dict)
        and isinstance(payload.get("query"), str)
        and isinstance(payload.get("variables") or {}, dict)
        and isinstance(payload.get("operationName") or "", str)
    )


class GraphQLView(GraphQL[Context, None]):
    websocket_adapter_class = _WebSocketAdapter

    def __init__(self, schema: Schema, runtime: Runtime, **kwargs: Any) -> None:
        self.limits = Limits.of(runtime.settings)
        super().__init__(
            schema,
            graphql_ide="graphiql" if runtime.settings.graphiql else None,
            allowed_origins=runtime.settings.allowed_origins,
            max_subscriptions_per_connection=self.limits.max_socket_operations,
            **kwargs,
        )
        self.runtime = runtime
        self.secret = runtime.settings.signing_secret()

    async def render_graphql_ide(self, request: Request) -> Response:
        """GraphiQL with its assets served by Tally (``graphql_schema.ide``): no CDN."""
        return HTMLResponse(ide.page())

    def decode_json(self, data: str | bytes) -> object:
        """orjson for request bodies too (a batch of 1,000 events is ~150 kB of JSON); a body
        with a lone surrogate is read all the same, and the value holding it refused alone."""
        return inputs.loads(data)

    def encode_json(self, data: object) -> str:
        """orjson instead of the standard library: every live update is encoded here, once per
        subscriber. A str, because graphql-transport-ws sends text frames."""
        return orjson.dumps(data, option=orjson.OPT_NON_STR_KEYS).decode()

    async def principal(self, authorization: str | None) -> Principal:
        async with self.runtime.db.sessions() as session:
            return await authenticate(
                session, self.runtime.keys, self.secret, authorization, self.runtime.clock.now()
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """HTTP: the body-size limit on what the header declares, the credential, then the
        body read within the limit; Strawberry reads the body from ``receive`` after that.
        A websocket: when it ends, so does the wait for its token's expiry."""
        if scope["type"] == "websocket":
            try:
                await super().__call__(scope, receive, send)
            finally:
                expiry = scope.get("state", {}).pop(EXPIRY, None)
                if expiry is not None:
                    expiry.cancel()
            return
        if scope["type"] == "http":
            request = Request(scope, receive)
            if not _wants_ide(request):
                limit = self.limits.max_body_bytes
                if body.declared_too_large(request.headers.get("content-length"), limit):
                    await body.refused(limit)(scope, receive, send)
                    return
                try:
                    principal = await self.principal(request.headers.get("authorization"))
                except Unauthorized as error:
                    await unauthorized(error)(scope, receive, send)
                    return
                scope.setdefault("state", {})["principal"] = principal
                read = await body.read_body(receive, limit)
                if read.too_large:
                    await body.refused(limit)(scope, receive, send)
                if read.receive is None:
                    return
                receive = read.receive
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        principal = request.scope.get("state", {}).get("principal")
        return Context(self.runtime, principal, request)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        params = context.connection_params if isinstance(context.connection_params, dict) else {}
        header = params.get("Authorization") or params.get("authorization")
        try:
            context.principal = await self.principal(str(header) if header else None)
        except Unauthorized as error:
            context.request.scope.setdefault("state", {})[CLOSE_REASON] = error.message[:120]
            raise ConnectionRejectionError({"reason": error.message}) from None
        expires = context.principal.expires_at
        if expires is not None:
            socket = cast("WebSocket", context.request)
            task = asyncio.create_task(self.close_at(socket, expires))
            socket.scope.setdefault("state", {})[EXPIRY] = task
        return {"subject": context.principal.name}

    async def close_at(self, socket: WebSocket, moment: datetime) -> None:
        """A customer token's connection ends when the token does (on the app's clock), with
        4401 and the reason: its open subscriptions stop, and the app connects again with a
        fresh token. An API key's connection has no end."""
        await self.runtime.clock.sleep_until(moment)
        if socket.application_state is WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError):  # the client left meanwhile
                await socket.close(TOKEN_EXPIRED, EXPIRED_REASON)


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )
