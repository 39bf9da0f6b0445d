"""Create, authenticate, disable and enable operators. Passwords are hashed with argon2id.

Hashing and verifying take ~0.2 s of CPU each (that is the point of argon2): they run in a
worker thread (``asyncio.to_thread``; argon2-cffi releases the GIL), never on the event loop,
where they would stall every request and live update of the process meanwhile.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import Conflict, ValidationFailed, check_length
from app.operators import repository
from app.operators.errors import duplicate
from app.operators.models import EMAIL_MAX, Operator, Role

PASSWORD_MIN = 10
PASSWORD_MAX = 200
_hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("tally-no-such-operator")


def _email(value: str) -> str:
    email = check_length(value, "email", EMAIL_MAX).lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        raise ValidationFailed("email", "enter an email address like name@company.com")
    return email


def _password(value: str) -> str:
    if len(value) < PASSWORD_MIN:
        raise ValidationFailed(
            "password", f"use at least {PASSWORD_MIN} characters", code="too_short"
        )
    if len(value) > PASSWORD_MAX:
        raise ValidationFailed("password", f"use at most {PASSWORD_MAX} characters")
    return value


def _role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        raise ValidationFailed("role", "the role must be admin or viewer") from None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def matches(found: Operator | None, password: str) -> bool:
    """Whether ``password`` is ``found``'s (the same work when there is no such operator)."""
    stored = found.password_hash if found is not None else _DUMMY_HASH
    try:
        return await asyncio.to_thread(_hasher.verify, stored, password)
    except (VerificationError, InvalidHashError):
        return False


async def create(
    session: AsyncSession, email: str, password: str, role: str, now: datetime
) -> Operator:
    address = _email(email)
    checked, chosen = _password(password), _role(role)
    if await repository.by_email(session, address) is not None:
        raise duplicate(address)
    operator = Operator(
        email=address, password_hash=await hash_password(checked), role=chosen, created_at=now
    )
    session.add(operator)
    await session.flush()
    return operator


async def for_login(session: AsyncSession, email: str) -> Operator | None:
    return await repository.by_email(session, email) if email.strip() else None


async def logged_in(
    session: AsyncSession, operator_id: int, password: str, now: datetime
) -> Operator | None:
    """Record a login whose password matched: the operator, if still active (its last login
    updated, its hash upgraded when argon2's parameters changed)."""
    found = await active(session, operator_id)
    if found is None:
        return None
    if _hasher.check_needs_rehash(found.password_hash):
        found.password_hash = await hash_password(password)
    found.last_login_at = now
    session.add(found)
    await session.flush()
    return found


async def active(session: AsyncSession, operator_id: int) -> Operator | None:
    """The operator if it still exists and is enabled (checked on every console page)."""
    found = await session.get(Operator, operator_id)
    return found if found is not None and found.active else None


async def set_disabled(
    session: AsyncSession, operator_id: int, disabled: bool, now: datetime
) -> Operator:
    operator = await repository.get(session, operator_id)
    if disabled and operator.active:
        if operator.role is Role.ADMIN and await repository.active_admins(session) <= 1:
            raise Conflict("id", "this is the last active admin; create another admin first")
        operator.disabled_at = now
    elif not disabled:
        operator.disabled_at = None
    session.add(operator)
    await session.flush()
    return operator


async def reset_password(
    session: AsyncSession, operator: Operator, password: str, *, enable: bool = False
) -> Operator:
    operator.password_hash = await hash_password(_password(password))
    if enable:
        operator.disabled_at = None
    session.add(operator)
    await session.flush()
    return operator
