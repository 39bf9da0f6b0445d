"""One rendering of a live update per query in a process: subscribers of one wallet asking the
same thing share the result graphql-core produced for the first of them; another query, or
other variables, get their own rendering — and every one of them the right data."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from app.access.models import Scope
from app.access.service import Principal
from app.runtime import Runtime
from graphql_schema.context import Context
from graphql_schema.schema import build_schema
from tests.conftest import GraphQLClient
from tests.live.conftest import LiveServer
from tests.live.test_wallet_updated import _burn, _customer

BALANCE = "subscription($w: ID!) { walletUpdated(walletId: $w, initial: false) { balance } }"
DETAIL = """subscription($w: ID!) { walletUpdated(walletId: $w, initial: false) {
  balance entry { credits description } } }"""


async def _subscribe(runtime: Runtime, query: str, wallet_id: str) -> AsyncGenerator[Any, None]:
    principal = Principal(key_id=0, name="test", scopes=frozenset({Scope.READ}))
    stream = await build_schema().subscribe(
        query, variable_values={"w": wallet_id}, context_value=Context(runtime, principal)
    )
    assert isinstance(stream, AsyncGenerator), stream
    return stream


async def _started(runtime: Runtime, streams: list[AsyncGenerator[Any, None]]) -> list[Any]:
    """The first result of each stream, pending until it comes; returns once all listen."""
    tasks = [asyncio.create_task(anext(s)) for s in streams]
    for _ in range(1000):
        if runtime.bus.hub.count() == len(streams):
            break
        await asyncio.sleep(0.01)
    return tasks


async def test_subscribers_asking_the_same_share_one_rendering(
    live_server: LiveServer, gql: GraphQLClient, runtime: Runtime
) -> None:
    """The live server's relay publishes committed changes to this runtime's bus."""
    acme, globex = await _customer(gql, "acme"), await _customer(gql, "globex")
    streams = [
        await _subscribe(runtime, BALANCE, acme),
        await _subscribe(runtime, BALANCE, acme),
        await _subscribe(runtime, DETAIL, acme),
        await _subscribe(runtime, BALANCE, globex),
    ]
    try:
        tasks = await _started(runtime, streams)
        await _burn(runtime, acme, 25, 1)
        await _burn(runtime, globex, 40, 2)
        same, twin, detail, other = [(await t).data["walletUpdated"] for t in tasks]
        assert same == twin == {"balance": "975"}
        assert same is twin  # one rendering, two subscribers
        assert detail == {
            "balance": "975",
            "entry": {"credits": "-25", "description": "−25 credits · batch 1"},
        }
        assert other == {"balance": "960"}
    finally:
        for stream in streams:
            await stream.aclose()
