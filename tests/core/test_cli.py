"""The ``tally`` command and the demo seed, against the test database."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import select
from typer.testing import CliRunner

from app.access import service as access_service
from app.access.models import ApiKey
from app.clock import FrozenClock
from app.config import Settings
from app.edge.cli import _demo_key, cli
from app.edge.demo import seed
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.core.support import check_wallet


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(cli, ["--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    for command in ("serve", "migrate", "create-api-key", "demo"):
        assert command in result.output


async def test_create_api_key_prints_a_key_that_works(
    gql: GraphQLClient, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    command = ["create-api-key", "--name", "x", "--scope", "read"]
    # The command runs its own event loop, so it runs beside the test's, in a thread.
    result = await asyncio.to_thread(CliRunner().invoke, cli, command)
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("tly_")
    body = await gql.raw("{ customers { nodes { id } } }", key=secret)
    assert body["status"] == 200 and body["data"] == {"customers": {"nodes": []}}
    denied = await gql.raw('mutation { setSignupBonus(credits: "1") { __typename } }', key=secret)
    assert "'admin' scope" in denied["errors"][0]["message"]


def test_create_api_key_rejects_an_unknown_scope(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    result = CliRunner().invoke(cli, ["create-api-key", "--name", "x", "--scope", "root"])
    assert result.exit_code == 2
    assert "scopes" in result.output


async def test_demo_seed_is_consistent_and_runs_once(runtime: Runtime, clock: FrozenClock) -> None:
    start = clock.now() - timedelta(days=28)
    async with runtime.db.transaction() as session:
        assert await seed(session, start) is True
    async with runtime.db.transaction() as session:
        assert await seed(session, start) is False
    async with runtime.db.engine.connect() as connection:
        rows = (
            await connection.execute(
                text(
                    "SELECT c.external_id, w.id FROM customers c JOIN wallets w"
                    " ON w.customer_id = c.id ORDER BY c.id"
                )
            )
        ).all()
    assert [external_id for external_id, _ in rows] == ["acme", "globex", "initech", "umbrella"]
    for _, wallet_id in rows:
        figures = await check_wallet(runtime.db, wallet_id)
        assert figures.ledger_count == 2  # signup bonus, a purchase (the story adds usage)


async def test_the_demo_key_is_minted_once_and_kept(
    runtime: Runtime, database_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path)
    first = await _demo_key(settings, database_url)
    assert await _demo_key(settings, database_url) == first  # the same at every start
    assert (tmp_path / "demo-admin-key").stat().st_mode & 0o077 == 0  # owner-only
    async with runtime.db.transaction() as session:
        key = (await session.exec(select(ApiKey).where(ApiKey.name == "demo admin"))).one()
        assert key.id is not None
        await access_service.revoke(session, key.id, runtime.clock.now())
    assert await _demo_key(settings, database_url) != first  # revoked: a new one


def test_worker_refuses_an_unknown_queue(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    result = CliRunner().invoke(cli, ["worker", "--queues", "jobs,webhook"])
    assert result.exit_code == 2
    assert "--queues: unknown queue webhook; choose from jobs, deliveries" in result.output


def test_worker_help_names_its_pools() -> None:
    result = CliRunner().invoke(cli, ["worker", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    for option in ("--threads", "--delivery-threads", "--queues"):
        assert option in result.output
