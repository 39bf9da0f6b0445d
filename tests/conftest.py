"""Fixtures on real servers: a fresh PostgreSQL database per test run (per xdist worker),
tables truncated before each test, the app driven over HTTP through its ASGI interface.

TEST_DATABASE_URL names the server (default: the local PostgreSQL, database ``test``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import text

from app.clock import FrozenClock
from app.config import Settings
from app.db.engine import Database, plain_url
from app.db.migrate import upgrade
from app.edge.server import create_app
from app.outbox.relay import Relay
from app.runtime import Runtime
from workers.system import JobSystem

pytest_plugins = ["tests.fuzz.report"]  # the fuzz figures in the session summary

SERVER_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
START = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def _with_database(url: str, name: str) -> str:
    base, _, query = url.partition("?")
    root = base.rsplit("/", 1)[0]
    return f"{root}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    import asyncio

    name = f"tally_test_{uuid.uuid4().hex[:10]}"

    async def admin(sql: str) -> None:
        connection = await asyncpg.connect(plain_url(SERVER_URL))
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    url = _with_database(SERVER_URL, name)
    upgrade(url)
    yield url
    asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url, pool_size=20)
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def table_names(database: Database) -> list[str]:
    async with database.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename <> 'alembic_version'"
            )
        )
        return [r[0] for r in rows]


@pytest.fixture
async def db(database: Database, table_names: list[str]) -> Database:
    """The test database, emptied before the test."""
    async with database.engine.begin() as connection:
        await connection.execute(
            text(f"TRUNCATE {', '.join(table_names)} RESTART IDENTITY CASCADE")
        )
    return database


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        environment="test", api_key_cache_seconds=0, secret_key="test-secret-key-0123456789abcdef"
    )


@pytest.fixture
def runtime(db: Database, clock: FrozenClock, settings: Settings) -> Runtime:
    return Runtime(settings, db, clock)


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the whole app (no network; the real ASGI stack)."""
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as client:
        yield client


async def mint_key(runtime: Runtime, scopes: list[str], name: str = "test") -> str:
    from app.access import service

    async with runtime.db.transaction() as session:
        _, secret = await service.create(session, name, scopes, runtime.clock.now())
    return secret


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient, key: str | None) -> None:
        self.http = http
        self.key = key

    async def raw(self, query: str, key: str | None = None, **variables: Any) -> dict[str, Any]:
        token = key if key is not None else self.key
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        body: dict[str, Any] = response.json()
        body["status"] = response.status_code
        return body

    async def __call__(self, query: str, **variables: Any) -> dict[str, Any]:
        """Run an operation that must succeed at the GraphQL level; return ``data``."""
        body = await self.raw(query, **variables)
        assert body["status"] == 200 and not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
async def admin_key(runtime: Runtime) -> str:
    return await mint_key(runtime, ["admin"])


@pytest.fixture
def gql(http: httpx.AsyncClient, admin_key: str) -> GraphQLClient:
    return GraphQLClient(http, admin_key)


@pytest.fixture
def jobs(
    database_url: str, db: Database, settings: Settings, clock: FrozenClock
) -> Iterator[JobSystem]:
    """The embedded job system: in-process broker and worker, on the test database."""
    system = JobSystem(settings, database_url, clock, redis_url=None)
    system.start_worker(threads=2)
    yield system
    system.stop()


async def relay_all(database_url: str, jobs: JobSystem, clock: FrozenClock) -> int:
    """Hand every committed outbox row to the broker, then wait for the jobs to finish."""
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        sent = await Relay(plain_url(database_url), jobs.dispatch, clock).drain(connection)
    finally:
        await connection.close()
    jobs.join()
    return sent
