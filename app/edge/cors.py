"""Cross-origin requests from browsers (CORS) to ``/graphql`` and ``/v1/events``.

Off unless ``Settings.allowed_origins`` names origins; then a page on one of them may call the
two APIs with its own credential in ``Authorization`` (a customer token, typically): the
preflight is answered and the responses carry ``Access-Control-Allow-Origin``. Cookies are
never sent cross-origin (``allow_credentials`` is off): the API authenticates by header only.
A page on any other origin gets no CORS headers, so its browser keeps the answer from it. The
same setting decides which origins may open GraphQL websockets and the console's socket.io.
"""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

PATHS = ("/graphql", "/v1/events")
HEADERS = ("authorization", "content-type", "accept", "x-request-id")
MAX_AGE_SECONDS = 600


class ApiCors:
    """Starlette's ``CORSMiddleware`` on the API paths only (not the console or the portal)."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors: ASGIApp | None = None
        if origins:
            self.cors = CORSMiddleware(
                app,
                allow_origins=origins,
                allow_methods=["GET", "POST"],
                allow_headers=list(HEADERS),
                expose_headers=["x-request-id"],
                allow_credentials=False,
                max_age=MAX_AGE_SECONDS,
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.cors is not None and scope["type"] == "http" and scope["path"] in PATHS:
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
