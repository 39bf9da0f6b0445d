"""Browsers on other origins: CORS for /graphql and /v1/events (off by default), and the one
setting, ``allowed_origins``, that also decides who may open a GraphQL websocket and the
console's socket.io."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from app.config import Settings
from tests.console.browser import Served, empty_tables
from tests.live.client import PROTOCOL, LiveClient

APP = "https://app.example"
EVIL = "https://evil.example"
PREFLIGHT = {
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization,content-type",
}
QUERY = {"query": "{ customers { nodes { id } } }"}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"allowed_origins": [APP]})


@pytest.mark.parametrize("path", ["/graphql", "/v1/events"])
async def test_an_allowed_origin_gets_the_preflight_and_the_headers(
    http: httpx.AsyncClient, admin_key: str, path: str
) -> None:
    preflight = await http.options(path, headers={"origin": APP, **PREFLIGHT})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == APP
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in preflight.headers  # header auth only
    body: dict[str, object] = dict(QUERY) if path == "/graphql" else {"events": []}
    auth = {"authorization": f"Bearer {admin_key}", "origin": APP}
    actual = await http.post(path, json=body, headers=auth)
    assert actual.headers["access-control-allow-origin"] == APP
    assert "x-request-id" in actual.headers["access-control-expose-headers"].lower()


@pytest.mark.parametrize("path", ["/graphql", "/v1/events"])
async def test_another_origin_gets_no_cors_headers(
    http: httpx.AsyncClient, admin_key: str, path: str
) -> None:
    preflight = await http.options(path, headers={"origin": EVIL, **PREFLIGHT})
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    auth = {"authorization": f"Bearer {admin_key}", "origin": EVIL}
    actual = await http.post(path, json=QUERY, headers=auth)
    assert "access-control-allow-origin" not in actual.headers


async def test_other_paths_have_no_cors(http: httpx.AsyncClient) -> None:
    for path in ("/health", "/ready", "/metrics"):
        response = await http.get(path, headers={"origin": APP})
        assert "access-control-allow-origin" not in response.headers, path


class TestOffByDefault:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"allowed_origins": []})

    async def test_no_origin_is_allowed(self, http: httpx.AsyncClient, admin_key: str) -> None:
        preflight = await http.options("/graphql", headers={"origin": APP, **PREFLIGHT})
        assert preflight.status_code == 405
        assert "access-control-allow-origin" not in preflight.headers
        auth = {"authorization": f"Bearer {admin_key}", "origin": APP}
        actual = await http.post("/graphql", json=QUERY, headers=auth)
        assert actual.status_code == 200 and "access-control-allow-origin" not in actual.headers


def test_the_setting_takes_a_list_or_commas_and_only_origins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TALLY_ALLOWED_ORIGINS", "https://App.example:443, http://localhost:3000/")
    assert Settings().allowed_origins == [APP, "http://localhost:3000"]
    monkeypatch.setenv("TALLY_ALLOWED_ORIGINS", '["https://app.example"]')
    assert Settings().allowed_origins == [APP]
    for bad in ("*", "app.example", "https://app.example/path", "ftp://app.example"):
        monkeypatch.setenv("TALLY_ALLOWED_ORIGINS", bad)
        with pytest.raises(ValueError, match="is not an origin"):
            Settings()


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    """``tally serve`` with the console, allowing APP."""
    empty_tables(database_url)
    with tempfile.TemporaryDirectory(prefix="tally-cors-") as folder:
        server = Served(database_url, Path(folder))
        server.env["TALLY_ALLOWED_ORIGINS"] = APP
        server.start()
        try:
            yield server
        finally:
            server.stop()
    empty_tables(database_url)


async def test_websockets_from_another_origin_are_refused(served: Served) -> None:
    key = served.cli("create-api-key", "--name", "admin", "--scope", "admin")
    ws_url = served.url.replace("http://", "ws://") + "/graphql"
    with pytest.raises(InvalidStatus) as refused:
        await connect(ws_url, subprotocols=[PROTOCOL], origin=EVIL)  # type: ignore[list-item,arg-type]
    assert refused.value.response.status_code == 403
    for origin in (APP, served.url, None):  # allowed, its own, not a browser
        connection = await connect(ws_url, subprotocols=[PROTOCOL], origin=origin)  # type: ignore[list-item,arg-type]
        client = LiveClient(connection)
        await client.send(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {key}"}}
        )
        await client.acknowledged()
        await connection.close()

    socket = served.url + "/_nicegui_ws/socket.io/?EIO=4&transport=polling"
    async with httpx.AsyncClient(timeout=30) as http:
        foreign = await http.get(socket, headers={"origin": EVIL})
        assert foreign.status_code == 400 and "not an accepted origin" in foreign.text
        for origin in (APP, served.url):
            assert (await http.get(socket, headers={"origin": origin})).status_code == 200
    socket_ws = socket.replace("http://", "ws://").replace("polling", "websocket")
    with pytest.raises(InvalidStatus):
        await connect(socket_ws, origin=EVIL)  # type: ignore[arg-type]
    same_site = await connect(socket_ws, origin=served.url)  # type: ignore[arg-type]
    await same_site.close()
