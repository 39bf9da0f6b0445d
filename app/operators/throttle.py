"""Console login throttling, per email and per client address, in PostgreSQL.

Every attempt is counted as a failure before its password is checked (one locked row per key,
so concurrent attempts count one by one, in every process), and a success takes it back. Once
a key has ``free`` failures in a row, the next attempt must wait a delay that doubles with each
further failure, from ``delay_seconds`` up to ``max_delay_seconds``; an attempt that comes
earlier is refused without checking the password (no argon2 work for it, and it does not count).
A success clears the email's count; an address's count is only taken back by one (many people
may share an address, and so may an attacker and a colleague). Failures older than
``forget_after`` are forgotten.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.config import Settings
from app.errors import Unauthorized
from app.operators.models import EMAIL_MAX, LoginThrottle


@dataclass(frozen=True)
class Policy:
    free_per_email: int
    free_per_address: int
    delay_seconds: float
    max_delay_seconds: float
    forget_after: timedelta

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(
            settings.login_free_attempts,
            settings.login_free_attempts_per_address,
            settings.login_delay_seconds,
            settings.login_delay_max_seconds,
            timedelta(seconds=settings.login_forget_after_seconds),
        )

    def wait(self, failures: int, free: int) -> timedelta | None:
        """How long the next attempt waits after ``failures`` in a row."""
        over = failures - free
        if over < 0:
            return None
        seconds = self.delay_seconds * 2 ** min(over, 32)
        return timedelta(seconds=min(seconds, self.max_delay_seconds))


@dataclass(frozen=True)
class Attempt:
    email: str
    address: str

    @property
    def email_key(self) -> str:
        return "email:" + self.email.strip().lower()[:EMAIL_MAX]

    @property
    def address_key(self) -> str:
        return "address:" + (self.address or "unknown")[:64]

    def free(self, key: str, policy: Policy) -> int:
        return policy.free_per_email if key == self.email_key else policy.free_per_address


@dataclass(frozen=True)
class Refusal:
    """An attempt refused because ``key`` must wait until ``until``."""

    key: str
    until: datetime
    failures: int

    def error(self, now: datetime) -> Unauthorized:
        seconds = max(1, math.ceil((self.until - now).total_seconds()))
        wait = f"{seconds} second{'s' if seconds != 1 else ''}"
        if seconds >= 120:
            wait = f"{math.ceil(seconds / 60)} minutes"
        return Unauthorized(
            "password", f"Too many failed logins. Try again in {wait}.", code="throttled"
        )


async def _locked(session: AsyncSession, key: str, now: datetime) -> LoginThrottle:
    fresh = insert(LoginThrottle).values(key=key, failures=0, last_failure_at=now)
    connection = await session.connection()
    await connection.execute(fresh.on_conflict_do_nothing(index_elements=["key"]))
    statement = select(LoginThrottle).where(LoginThrottle.key == key).with_for_update()
    return (await session.exec(statement)).one()


async def admit(
    session: AsyncSession, attempt: Attempt, now: datetime, policy: Policy
) -> Refusal | None:
    """Refuse the attempt if one of its keys must still wait; otherwise count it as a failure
    (the caller commits before checking the password, and calls ``succeeded`` after)."""
    keys = sorted({attempt.email_key, attempt.address_key})  # one lock order for everyone
    rows = [await _locked(session, key, now) for key in keys]
    for row in rows:
        if row.locked_until is not None and row.locked_until > now:
            return Refusal(row.key, row.locked_until, row.failures)
    for row in rows:
        if now - row.last_failure_at > policy.forget_after:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        wait = policy.wait(row.failures, attempt.free(row.key, policy))
        row.locked_until = now + wait if wait is not None else None
        session.add(row)
    await session.flush()
    return None


async def failures(session: AsyncSession, key: str) -> LoginThrottle | None:
    return await session.get(LoginThrottle, key)


async def succeeded(session: AsyncSession, attempt: Attempt, policy: Policy) -> None:
    """Take back the failure counted when the attempt was admitted."""
    await session.exec(delete(LoginThrottle).where(col(LoginThrottle.key) == attempt.email_key))
    row = await session.get(LoginThrottle, attempt.address_key, with_for_update=True)
    if row is not None:
        row.failures = max(0, row.failures - 1)
        if row.failures < policy.free_per_address:
            row.locked_until = None
        session.add(row)
    await session.flush()
