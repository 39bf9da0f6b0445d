"""The key cache: a revocation takes effect at once in the process that made it; unknown keys
are never kept, and verified ones are a bounded LRU."""

from __future__ import annotations

import secrets

import httpx
import pytest
from sqlalchemy import text

from app.access.service import KEY_PREFIX
from app.config import Settings
from app.runtime import Runtime
from tests.conftest import GraphQLClient, mint_key

REVOKE = """mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }"""
CUSTOMERS = "{ customers { nodes { id } } }"


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test", api_key_cache_seconds=3600, api_key_cache_size=3)


async def test_revocation_clears_the_cache(gql: GraphQLClient) -> None:
    created = await gql(
        """mutation { createApiKey(name: "cached", scopes: ["read"]) {
            ... on ApiKeyCreated { secret apiKey { id } } } }"""
    )
    secret = created["createApiKey"]["secret"]
    key_id = created["createApiKey"]["apiKey"]["id"]
    for _ in range(2):  # the second use is served from the cache
        assert (await gql.raw(CUSTOMERS, key=secret))["status"] == 200
    await gql(REVOKE, id=key_id)
    assert (await gql.raw(CUSTOMERS, key=secret))["status"] == 401


def unknown_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


async def test_unknown_keys_are_never_kept(http: httpx.AsyncClient, runtime: Runtime) -> None:
    """Random keys, half on /v1/events and half on /graphql: every one is refused and
    the cache holds none of them (it grew ~263 bytes per key, for ever, before)."""
    for n in range(4_000):
        headers = {"authorization": f"Bearer {unknown_key()}"}
        if n % 2:
            response = await http.post("/v1/events", json={"events": []}, headers=headers)
        else:
            response = await http.post("/graphql", json={"query": CUSTOMERS}, headers=headers)
        assert response.status_code == 401
        assert len(runtime.keys) == 0


async def revoke_elsewhere(runtime: Runtime, secret: str) -> None:
    """As another process would: in the database, without touching this process's cache."""
    async with runtime.db.engine.begin() as connection:
        await connection.execute(
            text("UPDATE api_keys SET revoked_at = now() WHERE prefix = :p"), {"p": secret[:12]}
        )


async def test_verified_keys_are_a_bounded_lru(gql: GraphQLClient, runtime: Runtime) -> None:
    keys = [await mint_key(runtime, ["read"], f"k{n}") for n in range(5)]
    for key in keys:
        assert (await gql.raw(CUSTOMERS, key=key))["status"] == 200
    assert len(runtime.keys) == 3  # keys 2, 3, 4
    assert (await gql.raw(CUSTOMERS, key=keys[2]))["status"] == 200  # now the most recent
    # Revoked by another process: a cached key is trusted until its time is up, an evicted one
    # is read again. Keys 0 and 1 were evicted; 3 is the least recently used of the three.
    for key in keys:
        await revoke_elsewhere(runtime, key)
    statuses = [(await gql.raw(CUSTOMERS, key=key))["status"] for key in (keys[0], keys[4])]
    assert statuses == [401, 200]
    assert len(runtime.keys) == 3
