"""A new browser id for the console's session storage (session fixation).

NiceGUI keys ``app.storage.user`` by ``request.session["id"]``, a random id in Starlette's
signed session cookie, set on the browser's first request (``RequestTrackingMiddleware``) and
kept for good. To log in under an id nobody could have learned before, the login completes in
an HTTP request that sets a new id — Starlette's ``SessionMiddleware`` then sends the new
cookie with the response — and creates that id's storage, as the middleware does for a new
browser. NiceGUI has no public call for the latter: ``Storage._create_user_storage`` is what its
own middleware calls (read in NiceGUI 3.18's ``nicegui/storage.py``); the console's login tests
fail if that changes.
"""

from __future__ import annotations

import uuid

from nicegui import app
from nicegui.persistence import PersistentDict
from starlette.requests import Request


async def rotate(request: Request) -> PersistentDict:
    """Give this browser a new id (sent as a new session cookie with the response to
    ``request``) and return the new id's empty storage, now ``app.storage.user``."""
    new_id = str(uuid.uuid4())
    request.session["id"] = new_id
    await app.storage._create_user_storage(new_id)
    return app.storage.user
