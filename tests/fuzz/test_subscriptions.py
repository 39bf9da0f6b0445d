"""Subscriptions over a real websocket (uvicorn, graphql-transport-ws): each credential
subscribes to every subscription with ids drawn as the GraphQL fuzz draws them (seeded rows,
other customers' rows, hostile text), as literals or variables, between malformed messages.
Every answer is a ``next`` or an ``error`` whose errors are never masked and, when raised while
executing, carry a code; nothing is logged at ERROR; and each connection keeps serving."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import graphql
import pytest
from hypothesis import given
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from tests.fuzz import checks, report
from tests.fuzz.budget import examples, fuzzing
from tests.fuzz.conftest import World
from tests.fuzz.strategies import ids
from tests.live.client import LiveClient
from tests.live.conftest import LiveServer, live_server  # noqa: F401 (the fixture)

SHARE = 0.01  # of the GraphQL operations' total (54 by default)
FIELDS = {
    "walletUpdated": ("walletId", "initial: true", "walletId balance entry { id credits }"),
    "alertTriggered": ("walletId", "", "id kind level balance"),
    "invoiceUpdated": ("customerId", "", "change invoice { number total { amount } }"),
}
MALFORMED = [
    "not json",
    "[]",
    json.dumps({"type": "subscribe", "payload": {"query": "{ __typename }"}}),
    json.dumps({"id": "m1", "type": "subscribe", "payload": {"query": 5}}),
    json.dumps({"id": {}, "type": "subscribe", "payload": {"query": "{ __typename }"}}),
    json.dumps({"id": "m4", "type": "subscribe", "payload": {"query": "{ x", "variables": 5}}),
    json.dumps({"id": "m2", "type": "subscribe", "payload": "x"}),
    json.dumps({"id": "m3", "type": "nonsense"}),
    json.dumps({"id": "x" * 10_000, "type": "subscribe", "payload": {"query": "{ __typename }"}}),
]
SENTINEL = "{ __typename }"


class Socket:
    """One credential's connection and every message it has received."""

    def __init__(self, url: str, authorization: str) -> None:
        self.url, self.authorization = url, authorization
        self.messages: list[dict[str, Any]] = []
        self.operations = 0

    async def open(self) -> None:
        self.client = await LiveClient.open(self.url, self.authorization)
        await self.client.acknowledged()

    async def drain(self, until: str | None = None, within: float = 10) -> None:
        """Read what has arrived; with ``until``, up to that operation's completion."""
        while True:
            try:
                message = await self.client.receive(within if until else 0.01)
            except TimeoutError:
                assert until is None, f"no answer to {until}"
                return
            if message["type"] == "ping":
                await self.client.send({"type": "pong"})
                continue
            self.messages.append(message)
            if (
                until is not None
                and message.get("id") == until
                and message["type"]
                in (
                    "complete",
                    "error",
                )
            ):
                return


@pytest.fixture
async def sockets(world: World, live_server: LiveServer) -> AsyncIterator[dict[str, Socket]]:  # noqa: F811
    opened = {}
    for credential in ("admin", "read", "customer"):
        opened[credential] = Socket(live_server.ws_url, f"Bearer {world.token(credential)}")
        await opened[credential].open()
    yield opened
    for socket in opened.values():
        await socket.client.close()


def _document(field: str, value: Any, as_variable: bool) -> tuple[str, dict[str, Any]]:
    argument, extra, selection = FIELDS[field]
    arguments = ", ".join(
        part
        for part in (f"{argument}: {'$id' if as_variable else graphql.print_ast(value)}", extra)
        if part
    )
    header = "($id: ID!)" if as_variable else ""
    query = f"subscription{header} {{ {field}({arguments}) {{ {selection} }} }}"
    variables = {"id": graphql.value_from_ast_untyped(value)} if as_variable else {}
    return query, variables


def problems(message: dict[str, Any]) -> list[str]:
    if message["type"] == "error":
        return checks.problems(200, {"errors": message["payload"]})
    if message["type"] == "next":
        return checks.problems(200, message["payload"])
    return []


@fuzzing(examples(SHARE))
@given(
    credential=st.sampled_from(["admin", "read", "customer"]),
    field=st.sampled_from(sorted(FIELDS)),
    value=ids(),
    as_variable=st.booleans(),
    malformed=st.none() | st.sampled_from(MALFORMED),
)
async def test_every_subscription_answers_with_a_coded_error_or_data(
    sockets: dict[str, Socket],
    caplog: pytest.LogCaptureFixture,
    credential: str,
    field: str,
    value: graphql.ValueNode,
    as_variable: bool,
    malformed: str | None,
) -> None:
    socket = sockets[credential]
    if malformed is not None:
        await _malformed(socket, malformed, credential)
        return
    socket.operations += 1
    op_id = str(socket.operations)
    query, variables = _document(field, value, as_variable)
    await socket.client.send(
        {"id": op_id, "type": "subscribe", "payload": {"query": query, "variables": variables}}
    )
    await asyncio.sleep(0.02)
    await socket.client.send({"id": op_id, "type": "complete"})
    sentinel = f"s{op_id}"
    await socket.client.send({"id": sentinel, "type": "subscribe", "payload": {"query": SENTINEL}})
    await socket.drain(until=sentinel)
    found = [problem for message in socket.messages for problem in problems(message)]
    socket.messages.clear()
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    caplog.clear()
    report.count(f"socket-{credential}", "subscribe")
    report.problems(f"socket-{credential}", found)
    assert not found and not logged, (query, variables, found, logged)


async def _malformed(socket: Socket, text: str, credential: str) -> None:
    """A message the protocol forbids may close the connection (4400 and the like), never with
    1011 (an internal error); a closed connection is opened again for the next example."""
    await socket.client.connection.send(text)
    sentinel = f"m{socket.operations}"
    socket.operations += 1
    try:
        await socket.client.send(
            {"id": sentinel, "type": "subscribe", "payload": {"query": SENTINEL}}
        )
        await socket.drain(until=sentinel)
    except ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code != 1011, closed
        await socket.open()
    socket.messages.clear()
    report.count(f"socket-{credential}", "malformed")
