"""The GraphQL HTTP/websocket endpoint: authenticates the API key, then runs the schema."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from app.errors import Unauthorized
from app.runtime import Runtime
from graphql_schema.context import Context
from graphql_schema.schema import Schema


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


class GraphQLView(GraphQL[Context, None]):
    def __init__(self, schema: Schema, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(
            schema, graphql_ide="graphiql" if runtime.settings.graphiql else None, **kwargs
        )
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            request = Request(scope, receive)
            if not _wants_ide(request):
                try:
                    async with self.runtime.db.sessions() as session:
                        principal = await self.runtime.keys.authenticate(
                            session, request.headers.get("authorization")
                        )
                except Unauthorized as error:
                    await unauthorized(error)(scope, receive, send)
                    return
                scope.setdefault("state", {})["principal"] = principal
        await super().__call__(scope, receive, send)

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> Context:
        principal = request.scope.get("state", {}).get("principal")
        return Context(self.runtime, principal, request)


def _wants_ide(request: Request) -> bool:
    return (
        request.method == "GET"
        and "text/html" in request.headers.get("accept", "")
        and "query" not in request.query_params
    )
