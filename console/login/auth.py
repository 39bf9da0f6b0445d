"""Operator sessions: log in with an email and password, stay in until the session expires
(``console_session_hours``) or the operator logs out or is disabled.

The session lives in NiceGUI's per-browser ``app.storage.user`` (server-side, keyed by a signed
cookie): the operator's id, email, role and an expiry timestamp. Every page and every action
re-checks it, and re-reads the operator so a disabled one is out at once.

Logging in is two steps. The login form (a websocket event, which cannot set a cookie)
checks the credentials (``console.login.credentials``) and leaves a one-time ticket in the
browser's storage; the browser then loads ``/console/login/complete?ticket=…``, an HTTP
request, which gives the browser a new id (``console.login.sessions.rotate``) and opens the
session under that id only. So a browser id planted or read before the login (session fixation)
never becomes a logged-in one.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from nicegui import app
from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.access.models import Scope
from app.access.service import Principal
from app.operators import service as operators
from app.operators.models import Role
from console.api import Caller, Console
from console.login import credentials, sessions
from graphql_schema.context import OperatorIdentity

SESSION_KEY = "tally_operator"
PENDING_KEY = "tally_login_pending"
LOGIN_PATH = "/console/login"
COMPLETE_PATH = "/console/login/complete"
PENDING_SECONDS = 60


def principal_of(operator: OperatorIdentity) -> Principal:
    """An operator acts through its role's scopes: admin → admin, viewer → read."""
    scope = Scope.ADMIN if operator.role == Role.ADMIN.value else Scope.READ
    return Principal(key_id=0, name=operator.email, scopes=frozenset({scope}))


def caller_of(operator: OperatorIdentity) -> Caller:
    return Caller(principal_of(operator), operator)


async def log_in(console: Console, email: str, password: str, address: str) -> str:
    """Check the credentials (throttled, audited: ``console.login.credentials``; raises DomainError)
    and return the path that completes the login in this browser, with a fresh browser id."""
    identity = await credentials.check(console.runtime, email, password, address)
    ticket = secrets.token_urlsafe(32)
    expires = console.runtime.clock.now() + timedelta(seconds=PENDING_SECONDS)
    app.storage.user[PENDING_KEY] = {
        **_stored(identity),
        "ticket": ticket,
        "expires_at": expires.isoformat(),
    }
    return f"{COMPLETE_PATH}?{urlencode({'ticket': ticket})}"


async def complete(console: Console, request: Request, ticket: str) -> bool:
    """Open the session of the login this browser just passed, under a new browser id; False
    when there is none (no ticket, another one, or expired)."""
    pending: Any = app.storage.user.pop(PENDING_KEY, None)
    app.storage.user.pop(SESSION_KEY, None)
    if not isinstance(pending, dict) or not secrets.compare_digest(
        str(pending.get("ticket", "")), ticket
    ):
        return False
    now = console.runtime.clock.now()
    if _moment(pending.get("expires_at")) <= now:
        return False
    expires = now + timedelta(hours=console.runtime.settings.console_session_hours)
    fresh = await sessions.rotate(request)
    fresh[SESSION_KEY] = {
        "id": pending["id"],
        "email": pending["email"],
        "role": pending["role"],
        "expires_at": expires.isoformat(),
    }
    return True


def _moment(value: object) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)


def _stored(identity: OperatorIdentity) -> dict[str, Any]:
    return {"id": identity.id, "email": identity.email, "role": identity.role}


def log_out() -> None:
    app.storage.user.pop(SESSION_KEY, None)


async def current(console: Console) -> Caller | None:
    """The logged-in operator, or None (no session, expired, or the operator was disabled)."""
    stored: Any = app.storage.user.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    now = console.runtime.clock.now()
    try:
        expired = _moment(stored["expires_at"]) <= now
        operator_id = int(stored["id"])
    except (KeyError, TypeError, ValueError):
        expired, operator_id = True, 0
    if expired:
        log_out()
        return None
    async with console.runtime.db.transaction() as session:
        found = await operators.active(session, operator_id)
    if found is None or found.id is None:
        log_out()
        return None
    return caller_of(OperatorIdentity(found.id, found.email, str(found.role)))


def login_target(path: str) -> str:
    return f"{LOGIN_PATH}?next={path}" if path.startswith("/console") else LOGIN_PATH


async def require(console: Console, path: str) -> Caller | RedirectResponse:
    """The logged-in operator, or a redirect to the login page (which comes back here)."""
    caller = await current(console)
    return caller if caller is not None else RedirectResponse(login_target(path), 303)
