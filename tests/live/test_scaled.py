"""Scaled mode: two real `tally serve` processes sharing PostgreSQL and a real Redis.

Every update reaches subscribers on both processes; a Redis restart does not drop the
websockets; connect/disconnect cycles leave no Redis connections or tasks behind.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import redis

from tests.conftest import GraphQLClient, mint_key
from tests.live.client import WALLET_UPDATED, LiveClient
from tests.redis_server import RedisServer, free_port

SECRET = "scaled-test-secret-0123456789abcdef"


class ServerProcess:
    def __init__(self, database_url: str, redis_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.http_url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/graphql"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "TALLY_SECRET_KEY": SECRET,
            "TALLY_DATA_DIR": str(workdir),
        }
        self.log = (workdir / f"server-{self.port}.log").open("w")
        tally = str(Path(sys.executable).with_name("tally"))
        self.process = subprocess.Popen(
            [tally, "serve", "--port", str(self.port)], env=env, stdout=self.log, stderr=self.log
        )

    async def ready(self) -> None:
        deadline = time.monotonic() + 150  # a loaded machine starts it slowly
        async with httpx.AsyncClient() as client:
            while time.monotonic() < deadline:
                try:
                    if (await client.get(f"{self.http_url}/ready")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
        raise RuntimeError(f"server on {self.port} did not become ready")

    async def metric(self, name: str) -> float:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"{self.http_url}/metrics")).text
        for line in text.splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        raise KeyError(name)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(15)
        self.log.close()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def servers(
    database_url: str, db: object, redis_server: RedisServer, tmp_path: Path
) -> AsyncIterator[tuple[ServerProcess, ServerProcess]]:
    pair = (
        ServerProcess(database_url, redis_server.url, tmp_path),
        ServerProcess(database_url, redis_server.url, tmp_path),
    )
    try:
        await asyncio.gather(*(p.ready() for p in pair))
        yield pair
    finally:
        for process in pair:
            process.stop()


async def _setup(server: ServerProcess, key: str) -> tuple[GraphQLClient, str, httpx.AsyncClient]:
    http = httpx.AsyncClient(base_url=server.http_url)
    gql = GraphQLClient(http, key)
    data = await gql(
        """mutation { createCustomer(input: {externalId: "acme", name: "Acme", currency: "USD",
             wallet: {rate: "0.01"}}) { ... on CustomerPayload { wallet { id } } } }"""
    )
    return gql, data["createCustomer"]["wallet"]["id"], http


async def _grant(gql: GraphQLClient, wallet_id: str, amount: str, key: str) -> None:
    await gql(
        """mutation($input: GrantCreditsInput!) { grantCredits(input: $input) { __typename } }""",
        input={"walletId": wallet_id, "amount": amount, "idempotencyKey": key},
    )


async def _subscribed(server: ServerProcess, key: str, wallet_id: str) -> LiveClient:
    client = await LiveClient.open(server.ws_url, f"Bearer {key}")
    await client.acknowledged()
    await client.subscribe(WALLET_UPDATED, walletId=wallet_id)
    await client.next_data()  # the initial state
    return client


async def test_updates_reach_subscribers_on_every_process_and_survive_a_redis_restart(
    servers: tuple[ServerProcess, ServerProcess], runtime: object, redis_server: RedisServer
) -> None:
    a, b = servers
    key = await mint_key(runtime, ["admin"])  # type: ignore[arg-type]
    gql, wallet_id, http = await _setup(a, key)
    on_a = await _subscribed(a, key, wallet_id)
    on_b = await _subscribed(b, key, wallet_id)
    try:
        await _grant(gql, wallet_id, "100", "one")
        for client in (on_a, on_b):
            assert (await client.next_data())["walletUpdated"]["balance"] == "100"

        redis_server.stop()
        await _grant(gql, wallet_id, "50", "two")  # commits while Redis is down
        redis_server.start()
        for client in (on_a, on_b):  # the same websockets, after the relay's retry
            update = (await client.next_data(within=30))["walletUpdated"]
            assert update["balance"] == "150"
    finally:
        await on_a.close()
        await on_b.close()
        await http.aclose()


async def test_connect_disconnect_cycles_leave_nothing_behind(
    servers: tuple[ServerProcess, ServerProcess], runtime: object, redis_server: RedisServer
) -> None:
    a, b = servers
    key = await mint_key(runtime, ["admin"])  # type: ignore[arg-type]
    _, wallet_id, http = await _setup(a, key)
    await http.aclose()
    await (await _subscribed(b, key, wallet_id)).close()  # warm up: bus connections exist
    await asyncio.sleep(0.5)
    redis_client = redis.Redis.from_url(redis_server.url)
    clients_before = len(redis_client.client_list())
    tasks_before = await b.metric("tally_asyncio_tasks")

    for _ in range(1000):
        client = await _subscribed(b, key, wallet_id)
        await client.close()

    for _ in range(50):  # closing handshakes finish asynchronously on the server
        if await b.metric("tally_live_subscribers") == 0:
            break
        await asyncio.sleep(0.1)
    assert await b.metric("tally_live_subscribers") == 0
    assert await b.metric("tally_asyncio_tasks") <= tasks_before
    assert len(redis_client.client_list()) <= clients_before
    redis_client.close()
