"""Operations in flight on one websocket are limited (TALLY_GRAPHQL_MAX_SOCKET_OPERATIONS)."""

from __future__ import annotations

import pytest

from app.config import Settings
from tests.conftest import GraphQLClient
from tests.live.client import WALLET_UPDATED, LiveClient
from tests.live.conftest import LiveServer
from tests.live.test_wallet_updated import _customer


@pytest.fixture
def settings() -> Settings:
    return Settings(
        environment="test",
        api_key_cache_seconds=0,
        secret_key="test-secret-key-0123456789abcdef",
        graphql_max_socket_operations=2,
    )


async def test_a_socket_holds_at_most_the_limit_of_operations(
    live_server: LiveServer, gql: GraphQLClient, admin_key: str
) -> None:
    wallet_id = await _customer(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {admin_key}")
    try:
        await client.acknowledged()
        for _ in range(2):
            await client.subscribe(WALLET_UPDATED, walletId=wallet_id)
            assert (await client.next_data())["walletUpdated"]["balance"] == "1000"
        third = await client.subscribe(WALLET_UPDATED, walletId=wallet_id)
        assert await client.refusal(third) == "Subscription limit reached"
    finally:
        await client.close()
