"""With the key cache on (as in production), a revocation still takes effect at once here."""

from __future__ import annotations

import pytest

from app.config import Settings
from tests.conftest import GraphQLClient

REVOKE = """mutation($id: ID!) { revokeApiKey(id: $id) { __typename } }"""


@pytest.fixture
def settings() -> Settings:
    return Settings(environment="test", api_key_cache_seconds=3600)


async def test_revocation_clears_the_cache(gql: GraphQLClient) -> None:
    created = await gql(
        """mutation { createApiKey(name: "cached", scopes: ["read"]) {
            ... on ApiKeyCreated { secret apiKey { id } } } }"""
    )
    secret = created["createApiKey"]["secret"]
    key_id = created["createApiKey"]["apiKey"]["id"]
    for _ in range(2):  # the second use is served from the cache
        assert (await gql.raw("{ customers { nodes { id } } }", key=secret))["status"] == 200
    await gql(REVOKE, id=key_id)
    assert (await gql.raw("{ customers { nodes { id } } }", key=secret))["status"] == 401
