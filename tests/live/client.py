"""A minimal graphql-transport-ws client on the `websockets` library (what a browser's
graphql-ws client speaks), for tests and the live benchmark."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

PROTOCOL = "graphql-transport-ws"


class LiveClient:
    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self._next_id = 0

    @classmethod
    async def open(cls, url: str, authorization: str | None) -> LiveClient:
        connection = await connect(url, subprotocols=[PROTOCOL])  # type: ignore[list-item]
        client = cls(connection)
        payload = {"Authorization": authorization} if authorization else {}
        await client.send({"type": "connection_init", "payload": payload})
        return client

    async def send(self, message: dict[str, Any]) -> None:
        await self.connection.send(json.dumps(message))

    async def receive(self, within: float = 10) -> dict[str, Any]:
        raw = await asyncio.wait_for(self.connection.recv(), within)
        message: dict[str, Any] = json.loads(raw)
        return message

    async def acknowledged(self) -> dict[str, Any]:
        message = await self.receive()
        assert message["type"] == "connection_ack", message
        return message

    async def subscribe(self, query: str, **variables: Any) -> str:
        self._next_id += 1
        op_id = str(self._next_id)
        await self.send(
            {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
        )
        return op_id

    async def next_data(self, within: float = 10) -> dict[str, Any]:
        """The data of the next `next` message (skipping pings)."""
        while True:
            message = await self.receive(within)
            if message["type"] == "ping":
                await self.send({"type": "pong"})
                continue
            assert message["type"] == "next", message
            assert not message["payload"].get("errors"), message
            data: dict[str, Any] = message["payload"]["data"]
            return data

    async def refusal(self, op_id: str) -> str:
        """The error message of an operation the server refused (no data delivered)."""
        message = await self.receive()
        assert message["id"] == op_id, message
        if message["type"] == "error":  # refused before execution (validation, permission)
            return str(message["payload"][0]["message"])
        assert message["type"] == "next" and message["payload"].get("data") is None, message
        return str(message["payload"]["errors"][0]["message"])

    async def close(self) -> None:
        await self.connection.close()


WALLET_UPDATED = """subscription($walletId: ID!, $initial: Boolean! = true) {
  walletUpdated(walletId: $walletId, initial: $initial) {
    walletId balance debt entry { id kind credits balanceAfter description }
  }
}"""
