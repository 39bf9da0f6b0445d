"""Console login under attack: throttled per email and per client address with a growing delay
(kept in PostgreSQL, so it holds across processes and restarts), failed logins in the audit log
without flooding it, argon2 off the event loop, and a new browser id at every login."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import argon2
import pytest
from nicegui import ui
from nicegui.testing import User

from app.clock import FrozenClock
from app.config import Settings
from app.db.engine import Database
from app.errors import DomainError
from app.runtime import Runtime
from console.login import credentials
from tests.conftest import GraphQLClient
from tests.console.conftest import log_in
from tests.console.support import eventually, rows, table_rows

WRONG = "That email and password do not match an active operator"


async def attempt(user: User, email: str, password: str, expect: str) -> None:
    await log_in(user, (email, password), "/console/login")
    await user.should_see(expect, retries=50)


async def throttles(runtime: Runtime) -> dict[str, tuple[int, Any]]:
    found = await rows(runtime, "SELECT key, failures, locked_until FROM login_throttles")
    return {r.key: (r.failures, r.locked_until) for r in found}


async def test_five_failures_then_a_delay_that_doubles(
    user: User, admin: tuple[str, str], runtime: Runtime, clock: FrozenClock
) -> None:
    for _ in range(5):
        await attempt(user, admin[0], "not-the-password", WRONG)
    # Even the right password waits now, and is not checked.
    await attempt(user, *admin, "Too many failed logins. Try again in 1 second.")
    clock.advance(timedelta(seconds=1))
    await attempt(user, admin[0], "still-wrong", WRONG)
    await attempt(user, *admin, "Try again in 2 seconds.")
    clock.advance(timedelta(seconds=2))
    await attempt(user, admin[0], "wrong-again", WRONG)
    await attempt(user, *admin, "Try again in 4 seconds.")
    assert (await throttles(runtime))["email:admin@tally.test"][0] == 7
    clock.advance(timedelta(seconds=4))
    await log_in(user, admin, "/console/login")
    await user.should_see("Credits outstanding", retries=50)
    assert "email:admin@tally.test" not in await throttles(runtime)  # a success clears it


async def test_the_delay_is_capped(
    user: User, admin: tuple[str, str], runtime: Runtime, clock: FrozenClock
) -> None:
    for n in range(16):
        await attempt(user, admin[0], f"guess-{n}", WRONG)
        clock.advance(timedelta(minutes=15))
    await attempt(user, admin[0], "guess-16", WRONG)
    await attempt(user, *admin, "Try again in 15 minutes.")
    [(failures, until)] = [
        v for k, v in (await throttles(runtime)).items() if k.startswith("email")
    ]
    assert failures == 17 and until == clock.now() + timedelta(minutes=15)


class TestPerAddress:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"login_free_attempts_per_address": 3})

    async def test_many_emails_from_one_address(
        self, user: User, admin: tuple[str, str], runtime: Runtime
    ) -> None:
        for n in range(3):
            await attempt(user, f"guess{n}@tally.test", "some-password", WRONG)
        await attempt(user, *admin, "Too many failed logins. Try again in 1 second.")
        assert (await throttles(runtime))["address:127.0.0.1"][0] == 3


async def test_the_throttle_holds_across_processes(
    user: User, admin: tuple[str, str], settings: Settings, clock: FrozenClock, database_url: str
) -> None:
    for _ in range(5):
        await attempt(user, admin[0], "not-the-password", WRONG)
    # Another process (or this one after a restart): its own pool, the same database.
    database = Database(database_url, pool_size=1)
    try:
        with pytest.raises(DomainError) as refused:
            await credentials.check(Runtime(settings, database, clock), *admin, "10.1.2.3")
    finally:
        await database.dispose()
    assert refused.value.code == "throttled"


async def test_failed_logins_are_audited_without_flooding(
    user: User, admin: tuple[str, str], runtime: Runtime, clock: FrozenClock
) -> None:
    await attempt(user, admin[0], "wrong-password-1", WRONG)
    await attempt(user, "nobody@tally.test", "wrong-password-2", WRONG)
    for n in range(4):
        await attempt(user, admin[0], f"wrong-password-{n + 3}", WRONG)
    for _ in range(5):  # refused while the delay runs: one line for the lot
        await attempt(user, *admin, "Try again in 1 second.")
    found = await rows(runtime, "SELECT action, summary, details::text FROM audit_log ORDER BY id")
    assert [r.action for r in found] == ["login_failed"] * 6 + ["login_throttled"]
    assert found[0].summary == "Failed console login as admin@tally.test from 127.0.0.1"
    assert found[1].summary == "Failed console login as nobody@tally.test from 127.0.0.1"
    assert found[5].summary == (
        "Failed console login as admin@tally.test from 127.0.0.1 (5 in a row);"
        " the next attempt waits 1 s"
    )
    assert found[6].summary.startswith("Console logins as admin@tally.test from 127.0.0.1 refused")
    assert not any("wrong-password" in r.summary + r.details for r in found)
    assert admin[1] not in str(found)


async def test_the_audit_page_shows_or_hides_failed_logins(
    user: User, admin: tuple[str, str], runtime: Runtime
) -> None:
    await attempt(user, admin[0], "not-the-password", WRONG)
    await log_in(user, admin, "/console/audit")
    await user.should_see("Who did what, and why", retries=50)
    assert len(table_rows(user, "audit")) == 0  # logins are hidden by default
    choice = next(iter(user.find(marker="audit-filter").elements))
    assert isinstance(choice, ui.select)
    choice.value = "all"
    assert await eventually(lambda: len(table_rows(user, "audit")) == 2)  # failure, then login
    choice.value = "without"
    assert await eventually(lambda: table_rows(user, "audit") == [])
    choice.value = "only"
    assert await eventually(
        lambda: (
            sorted(r["summary"][:20] for r in table_rows(user, "audit"))
            == ["Failed console login", "admin@tally.test log"]
        )
    )


def spy_on_argon2(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The threads argon2 ran in (it must never run on the event loop's)."""
    threads: list[int] = []
    for name in ("hash", "verify"):
        original = getattr(argon2.PasswordHasher, name)

        def spied(self: Any, *args: Any, _original: Any = original) -> Any:
            threads.append(threading.get_ident())
            return _original(self, *args)

        monkeypatch.setattr(argon2.PasswordHasher, name, spied)
    return threads


async def test_argon2_runs_off_the_event_loop(
    user: User, admin: tuple[str, str], gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads = spy_on_argon2(monkeypatch)
    await attempt(user, admin[0], "not-the-password", WRONG)
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    created = await gql(
        """mutation { createOperator(input: {email: "new@tally.test",
            password: "a-new-password", role: VIEWER}) { __typename } }"""
    )
    assert created["createOperator"]["__typename"] == "OperatorPayload"
    assert len(threads) == 3  # two checks, one hash
    assert threading.get_ident() not in threads  # the test's (and the app's) event loop thread


async def test_a_login_gives_the_browser_a_new_id(user: User, admin: tuple[str, str]) -> None:
    await user.open("/console/login")
    before = user.http_client.cookies["session"]
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    after = user.http_client.cookies["session"]
    assert after != before
    # The id the browser had before (planted, or read, by someone else) is not logged in.
    user.http_client.cookies.set("session", before)
    await user.open("/console")
    await user.should_see(marker="login-email", retries=50)


async def test_completing_needs_this_browsers_ticket(user: User, admin: tuple[str, str]) -> None:
    await log_in(user, admin)
    await user.should_see("Credits outstanding", retries=50)
    user.http_client.cookies.clear()
    await user.open("/console/login/complete?ticket=made-up&next=/console")
    await user.should_see(marker="login-email", retries=50)
