"""Logging in and out, sessions that expire, and disabled operators."""

from __future__ import annotations

from datetime import timedelta

from nicegui.testing import User
from sqlalchemy import text

from app.clock import FrozenClock
from app.runtime import Runtime
from tests.console.conftest import log_in


async def audit_summaries(runtime: Runtime) -> list[str]:
    async with runtime.db.engine.connect() as connection:
        rows = await connection.execute(text("SELECT summary FROM audit_log ORDER BY id"))
        return [r[0] for r in rows]


async def test_login_opens_the_dashboard_and_is_audited(
    user: User, admin: tuple[str, str], runtime: Runtime
) -> None:
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    await user.should_see("admin@tally.test · Admin", retries=30)
    assert await audit_summaries(runtime) == ["admin@tally.test logged in"]


async def test_a_wrong_password_says_what_to_do(user: User, admin: tuple[str, str]) -> None:
    await log_in(user, (admin[0], "not-the-password"))
    await user.should_see("That email and password do not match an active operator", retries=30)
    await user.should_not_see("Credits outstanding")


async def test_empty_fields_are_named(user: User, admin: tuple[str, str]) -> None:
    await user.open("/console/login")
    user.find(marker="login-submit").click()
    await user.should_see("Enter your email.", retries=30)
    await user.should_see("Enter your password.", retries=30)


async def test_a_page_asks_for_login_and_comes_back(user: User, admin: tuple[str, str]) -> None:
    await log_in(user, admin, "/console/audit")
    await user.should_see("Who did what, and why", retries=30)


async def test_the_session_expires(user: User, admin: tuple[str, str], clock: FrozenClock) -> None:
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    clock.advance(timedelta(hours=12, minutes=1))
    await user.open("/console/customers")
    await user.should_see(marker="login-email", retries=50)


async def test_log_out(user: User, admin: tuple[str, str]) -> None:
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    user.find(marker="logout").click()
    await user.should_see(marker="login-email", retries=50)
    await user.open("/console")
    await user.should_see(marker="login-email", retries=50)


async def test_a_disabled_operator_is_out_at_once(
    user: User, admin: tuple[str, str], runtime: Runtime
) -> None:
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    async with runtime.db.engine.begin() as connection:
        await connection.execute(text("UPDATE operators SET disabled_at = now()"))
    await user.open("/console/customers")
    await user.should_see(marker="login-email", retries=50)
