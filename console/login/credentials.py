"""Checking a console login: throttled per email and per client address, every failure in the
audit log, and the password checked off the event loop.

Three steps, each its own transaction where it touches the database: the attempt is admitted
and counted (``app.operators.throttle``; committed first, so concurrent attempts in any process
see it), the password is checked in a worker thread (argon2, ~0.2 s of CPU), then the outcome
is recorded: a success takes the count back and writes "logged in", a failure writes "failed
login". An attempt refused by the throttle checks nothing and writes one line per lock
(``login_throttled``, deduplicated), so a flood of refused attempts cannot flood the log; the
failures that are checked are bounded by the throttle itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from app.audit import service as audit
from app.audit.models import ActorKind
from app.audit.service import Action, Actor
from app.operators import service as operators
from app.operators import throttle
from app.operators.errors import wrong_credentials
from app.operators.models import Operator
from app.operators.throttle import Attempt, Policy, Refusal
from app.runtime import Runtime
from graphql_schema.context import OperatorIdentity

FAILED = "login_failed"
THROTTLED = "login_throttled"
LOGIN_ACTIONS = (FAILED, THROTTLED)
SYSTEM = Actor(ActorKind.SYSTEM, "console login")


def _shown(text: str, limit: int = 100) -> str:
    """User input as a log line may show it: printable, short."""
    printable = "".join(c if c.isprintable() else "?" for c in text.strip())
    return printable[:limit] + ("…" if len(printable) > limit else "")


async def check(runtime: Runtime, email: str, password: str, address: str) -> OperatorIdentity:
    """The operator these credentials belong to, or a DomainError (wrong or throttled)."""
    now, policy, attempt = runtime.clock.now(), Policy.of(runtime.settings), Attempt(email, address)
    found: Operator | None = None
    async with runtime.db.transaction() as session:
        refusal = await throttle.admit(session, attempt, now, policy)
        if refusal is not None:
            await _refused(session, attempt, refusal, now)
        else:
            found = await operators.for_login(session, email)
    if refusal is not None:
        raise refusal.error(now)
    matched = await operators.matches(found, password)
    async with runtime.db.transaction() as session:
        operator = None
        if matched and found is not None and found.id is not None:
            operator = await operators.logged_in(session, found.id, password, now)
        if operator is None or operator.id is None:
            await _failed(session, attempt, policy, now)
        else:
            await throttle.succeeded(session, attempt, policy)
            actor = Actor(ActorKind.OPERATOR, operator.email, str(operator.id))
            await audit.record(session, actor, Action("login", f"{operator.email} logged in"), now)
    if operator is None or operator.id is None:
        raise wrong_credentials()
    return OperatorIdentity(operator.id, operator.email, str(operator.role))


async def _failed(session: AsyncSession, attempt: Attempt, policy: Policy, now: datetime) -> None:
    row = await throttle.failures(session, attempt.email_key)
    count = row.failures if row is not None else 1
    summary = f"Failed console login as {_shown(attempt.email)} from {attempt.address}"
    summary += f" ({count} in a row)" if count > 1 else ""
    if row is not None and row.locked_until is not None:
        summary += f"; the next attempt waits {_seconds(row.locked_until - now)}"
    details = {"email": _shown(attempt.email, 320), "address": attempt.address, "failures": count}
    await audit.record(session, SYSTEM, Action(FAILED, summary, details=details), now)


async def _refused(
    session: AsyncSession, attempt: Attempt, refusal: Refusal, now: datetime
) -> None:
    who = "this email" if refusal.key == attempt.email_key else "this address"
    summary = (
        f"Console logins as {_shown(attempt.email)} from {attempt.address} refused for "
        f"{_seconds(refusal.until - now)}: {refusal.failures} failed logins in a row for {who}"
    )
    details = {"email": _shown(attempt.email, 320), "address": attempt.address}
    dedupe = f"{THROTTLED}:{refusal.key}:{refusal.until.isoformat()}"
    await audit.record(
        session, SYSTEM, Action(THROTTLED, summary, details=details, dedupe_key=dedupe), now
    )


def _seconds(delay: timedelta) -> str:
    seconds = max(1, round(delay.total_seconds()))
    return f"{seconds} s" if seconds < 120 else f"{round(seconds / 60)} min"
