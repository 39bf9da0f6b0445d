"""Operator sessions: log in with an email and password, stay in until the session expires
(``console_session_hours``) or the operator logs out or is disabled.

The session lives in NiceGUI's per-browser ``app.storage.user`` (server-side, keyed by a signed
cookie): the operator's id, email, role and an expiry timestamp. Every page and every action
re-checks it, and re-reads the operator so a disabled one is out at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from nicegui import app
from starlette.responses import RedirectResponse

from app.access.models import Scope
from app.access.service import Principal
from app.audit import service as audit
from app.audit.models import ActorKind
from app.audit.service import Action, Actor
from app.operators import service as operators
from app.operators.models import Role
from console.api import Caller, Console
from graphql_schema.context import OperatorIdentity

SESSION_KEY = "tally_operator"
LOGIN_PATH = "/console/login"


def principal_of(operator: OperatorIdentity) -> Principal:
    """An operator acts through its role's scopes: admin → admin, viewer → read."""
    scope = Scope.ADMIN if operator.role == Role.ADMIN.value else Scope.READ
    return Principal(key_id=0, name=operator.email, scopes=frozenset({scope}))


def caller_of(operator: OperatorIdentity) -> Caller:
    return Caller(principal_of(operator), operator)


async def log_in(console: Console, email: str, password: str) -> Caller:
    """Check the credentials (``app.operators``: there is no principal yet to run GraphQL
    with), record the login in the audit log and open the session. Raises DomainError."""
    runtime = console.runtime
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        found = await operators.authenticate(session, email, password, now)
        assert found.id is not None
        identity = OperatorIdentity(found.id, found.email, str(found.role))
        actor = Actor(ActorKind.OPERATOR, found.email, str(found.id))
        await audit.record(session, actor, Action("login", f"{found.email} logged in"), now)
    expires = now + timedelta(hours=runtime.settings.console_session_hours)
    app.storage.user[SESSION_KEY] = {
        "id": identity.id,
        "email": identity.email,
        "role": identity.role,
        "expires_at": expires.isoformat(),
    }
    return caller_of(identity)


def log_out() -> None:
    app.storage.user.pop(SESSION_KEY, None)


async def current(console: Console) -> Caller | None:
    """The logged-in operator, or None (no session, expired, or the operator was disabled)."""
    stored: Any = app.storage.user.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    now = console.runtime.clock.now()
    try:
        expired = datetime.fromisoformat(str(stored["expires_at"])) <= now
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
