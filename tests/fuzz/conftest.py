"""The fuzzer's world: a truncated database seeded through the public API (``seed.py``), the
app over its ASGI interface, the three credentials, and the table fingerprint."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from app.config import Settings
from app.db.engine import Database
from app.edge.server import create_app
from app.runtime import Runtime
from tests.fuzz.checks import Tables
from tests.fuzz.seed import Credentials, seed


@dataclass
class World:
    http: httpx.AsyncClient
    db: Database
    credentials: Credentials
    tables: Tables

    def token(self, credential: str) -> str:
        token: str = getattr(self.credentials, credential)
        return token


@pytest.fixture
def settings() -> Settings:
    """The suite's settings, with the sandbox's slow card as fast as the others (a fuzzer may
    well pick it)."""
    return Settings(
        environment="test",
        api_key_cache_seconds=0,
        secret_key="test-secret-key-0123456789abcdef",
        sandbox_slow_seconds=0,
    )


@pytest.fixture
async def world(runtime: Runtime, table_names: list[str]) -> AsyncIterator[World]:
    app = create_app(runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://tally.test") as http:
        credentials = await seed(runtime, http)
        yield World(http, runtime.db, credentials, Tables(table_names))
