"""`tally create-admin` and the demo's console login."""

from __future__ import annotations

import asyncio

import pytest
from nicegui.testing import User
from typer.testing import CliRunner

from app.edge.cli import cli
from app.edge.demo import DEMO_ADMIN, demo_operator
from app.runtime import Runtime
from tests.console.conftest import log_in
from tests.console.support import rows


async def test_create_admin_with_options(
    runtime: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    command = ["create-admin", "--email", "First@Tally.test", "--password", "first-admin-pw"]
    result = await asyncio.to_thread(CliRunner().invoke, cli, command)
    assert result.exit_code == 0, result.output
    assert "Admin first@tally.test created" in result.output
    found = await rows(runtime, "SELECT email, role FROM operators")
    assert [(r.email, r.role) for r in found] == [("first@tally.test", "admin")]
    audit = await rows(runtime, "SELECT actor_kind, summary FROM audit_log")
    assert audit[0].actor_kind == "system" and "created the admin first@tally.test" in (
        audit[0].summary
    )


async def test_create_admin_prompts_and_refuses_a_short_password(
    runtime: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    answers = "ops@tally.test\nshort\nshort\n"
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["create-admin"], input=answers)
    assert result.exit_code == 2
    assert "password: use at least 10 characters" in result.output
    assert await rows(runtime, "SELECT id FROM operators") == []


async def test_the_demo_admin_gets_a_fresh_password_each_start(
    user: User, runtime: Runtime
) -> None:
    async with runtime.db.transaction() as session:
        _, first = await demo_operator(session, runtime.clock.now())
    async with runtime.db.transaction() as session:
        email, second = await demo_operator(session, runtime.clock.now())
    assert email == DEMO_ADMIN and first != second
    await log_in(user, (email, first))
    await user.should_see("That email and password do not match", retries=30)
    await log_in(user, (email, second))
    await user.should_see("Credits outstanding", retries=50)
