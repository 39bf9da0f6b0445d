"""Which pages may open the console's socket.io connection.

NiceGUI creates its socket.io server accepting every origin (``cors_allowed_origins='*'``), so
a page on any site could open a console session's socket with the operator's cookies
(cross-site websocket hijacking). The console accepts its own origin — the host the request
was sent to, or ``TALLY_PUBLIC_URL``'s — and the origins in ``TALLY_ALLOWED_ORIGINS``, the
setting that also governs CORS and GraphQL websockets; engine.io answers any other with 400.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from strawberry.http.websocket_origin import is_same_origin, normalize_origin

from app.config import Settings

OriginCheck = Callable[[str | None, Mapping[str, Any]], bool]


def socket_origins(settings: Settings) -> OriginCheck:
    allowed = set(settings.allowed_origins)
    own = normalize_origin(settings.base_url)
    if own is not None:
        allowed.add(own)

    def check(origin: str | None, environ: Mapping[str, Any]) -> bool:
        if not origin:
            return True  # not a browser: no cookies of anyone's to abuse
        if is_same_origin(origin, environ.get("HTTP_HOST")):
            return True
        return normalize_origin(origin) in allowed

    return check


def protect_socket(settings: Settings) -> None:
    """Install the check on NiceGUI's (process-wide) socket.io server."""
    from nicegui import core

    core.sio.eio.cors_allowed_origins = socket_origins(settings)
