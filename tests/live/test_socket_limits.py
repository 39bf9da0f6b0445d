"""The GraphQL limits over a real websocket: a refused operation gets an error naming the
limit and the connection stays usable; a message over the body-size limit closes it (1009)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed

from app.config import Settings
from tests.conftest import GraphQLClient
from tests.core.test_graphql_limits import COST_BOMB, bomb
from tests.live.client import WALLET_UPDATED, LiveClient
from tests.live.conftest import LiveServer
from tests.live.test_wallet_updated import _customer, _token

LIMIT = 64 * 1024


@pytest.fixture
def settings() -> Settings:
    return Settings(
        environment="test",
        api_key_cache_seconds=0,
        secret_key="test-secret-key-0123456789abcdef",
        graphql_max_body_bytes=LIMIT,
    )


async def _refusal(client: LiveClient, op_id: str) -> list[str]:
    """The codes of the errors that refused operation ``op_id``."""
    message = await client.receive()
    assert message["id"] == op_id and message["type"] == "error", message
    errors: list[dict[str, Any]] = message["payload"]
    assert all(error["message"] != "Unexpected error." for error in errors)
    return [error["extensions"]["code"] for error in errors]


@pytest.mark.parametrize("who", ["admin", "customer"])
async def test_refusals_name_the_limit_and_the_socket_stays_usable(
    live_server: LiveServer, gql: GraphQLClient, admin_key: str, who: str
) -> None:
    wallet_id = await _customer(gql, "acme")
    credential = admin_key if who == "admin" else await _token(gql, "acme")
    client = await LiveClient.open(live_server.ws_url, f"Bearer {credential}")
    try:
        await client.acknowledged()
        subscription_bomb = bomb(
            20, on="Subscription", leaf="walletUpdated(walletId: 1) { balance }"
        )
        cases = [
            (subscription_bomb, {}, "TOO_MANY_SELECTIONS"),
            (bomb(30), {}, "TOO_MANY_SELECTIONS"),
            (COST_BOMB, {}, "QUERY_TOO_COSTLY"),
            ("{ " + "a " * 2000 + "}", {}, "TOO_MANY_TOKENS"),
            ("#" * 20_000, {}, "DOCUMENT_TOO_LONG"),
            (
                "query($n: Int!) { customers(first: $n) { nodes { id } } }",
                {"n": 1_000_000},
                "PAGE_TOO_LARGE",
            ),
        ]
        for query, variables, code in cases:
            op_id = await client.subscribe(query, **variables)
            assert code in await _refusal(client, op_id)
        await client.subscribe(WALLET_UPDATED, walletId=wallet_id)
        assert (await client.next_data())["walletUpdated"]["balance"] == "1000"
    finally:
        await client.close()


async def test_a_message_over_the_limit_closes_the_socket(
    live_server: LiveServer, admin_key: str
) -> None:
    client = await LiveClient.open(live_server.ws_url, f"Bearer {admin_key}")
    try:
        await client.acknowledged()
        await client.subscribe("{ __typename }", pad="x" * LIMIT)
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009
        assert closed.value.rcvd.reason == f"BODY_TOO_LARGE: a message is at most {LIMIT:,} bytes"
    finally:
        await client.close()


async def test_a_syntax_error_closes_the_socket_with_the_error(
    live_server: LiveServer, admin_key: str
) -> None:
    """Strawberry's answer to a syntax error on graphql-transport-ws (its ``ParserCache``
    raised it past its error handling instead: the operation just completed)."""
    client = await LiveClient.open(live_server.ws_url, f"Bearer {admin_key}")
    try:
        await client.acknowledged()
        await client.subscribe("{ customers { ")
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 4400
        assert closed.value.rcvd.reason == "Syntax Error: Expected Name, found <EOF>."
    finally:
        await client.close()


@pytest.mark.parametrize(
    "message",
    ["[]", "5", '{"id": "1", "type": "subscribe", "payload": "x"}',
     '{"id": "1", "type": "subscribe"}',
     '{"id": "1", "type": "subscribe", "payload": {"query": 5}}',
     '{"id": "1", "type": "subscribe", "payload": {"query": "{ __typename }", "variables": 5}}',
     '{"id": {}, "type": "subscribe", "payload": {"query": "{ __typename }"}}',
     '{"id": [], "type": "complete"}'],
)  # fmt: skip
async def test_a_message_of_the_wrong_shape_closes_the_socket_with_4400(
    live_server: LiveServer, admin_key: str, caplog: pytest.LogCaptureFixture, message: str
) -> None:
    """Valid JSON that is not a protocol message: closed as Strawberry closes a message it
    cannot parse, nothing logged (it was an exception in the handler, logged at ERROR, and a
    connection dropped without a close frame; found by the fuzz suite)."""
    client = await LiveClient.open(live_server.ws_url, f"Bearer {admin_key}")
    try:
        await client.acknowledged()
        await client.connection.send(message)
        with pytest.raises(ConnectionClosed) as closed:
            await client.receive()
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
            4400,
            "Failed to parse message",
        )
    finally:
        await client.close()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
