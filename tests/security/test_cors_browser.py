"""docs/live.md end to end in a real headless Chromium: a browser app served from another
origin calls ``/graphql`` with a customer token (CORS) and subscribes to its wallet over
graphql-transport-ws, when ``TALLY_ALLOWED_ORIGINS`` names its origin; the same page from an
origin not named gets neither."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.console.browser import SCREENSHOTS, Served, browser, empty_tables, free_port

__all__ = ["browser"]  # the fixture

PAGE = b"""<!doctype html><html><body><p id="http">http: ...</p><p id="ws">ws: ...</p>
<script type="module">
const params = new URLSearchParams(location.search);
const tally = params.get("tally"), token = params.get("token"), wallet = params.get("wallet");
const show = (id, text) => { document.getElementById(id).textContent = text; };
try {
  const response = await fetch(tally + "/graphql", {
    method: "POST",
    headers: {"Authorization": "Bearer " + token, "Content-Type": "application/json"},
    body: JSON.stringify({query: '{ customer(externalId: "acme") { name wallets { balance } } }'}),
  });
  const {data} = await response.json();
  show("http", "http: " + data.customer.name + " has " + data.customer.wallets[0].balance
    + " (request " + response.headers.get("x-request-id") + ")");
} catch (error) { show("http", "http: blocked"); }
const socket = new WebSocket(tally.replace("http", "ws") + "/graphql", "graphql-transport-ws");
socket.onopen = () => socket.send(JSON.stringify(
  {type: "connection_init", payload: {Authorization: "Bearer " + token}}));
socket.onmessage = (message) => {
  const msg = JSON.parse(message.data);
  if (msg.type === "connection_ack") socket.send(JSON.stringify({id: "1", type: "subscribe",
    payload: {query: "subscription($w: ID!) { walletUpdated(walletId: $w) { balance } }",
              variables: {w: wallet}}}));
  if (msg.type === "next") show("ws", "ws: balance " + msg.payload.data.walletUpdated.balance);
};
socket.onclose = () => {
  const text = document.getElementById("ws").textContent;
  if (!text.startsWith("ws: balance")) show("ws", "ws: refused");
};
</script></body></html>"""
CUSTOMER = """mutation { createCustomer(input: {externalId: "acme", name: "Acme Corp",
  currency: "USD", wallet: {rate: "0.01"}}) { ... on CustomerPayload { wallet { id } } } }"""
TOKEN = """mutation { createCustomerToken(customerExternalId: "acme") {
  ... on CustomerToken { token } } }"""


@pytest.fixture
def app_server() -> Iterator[int]:
    """The browser app's own web server (another origin than Tally's)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served(database_url: str, app_server: int) -> Iterator[Served]:
    empty_tables(database_url)
    with tempfile.TemporaryDirectory(prefix="tally-cors-browser-") as folder:
        server = Served(database_url, Path(folder))
        server.env["TALLY_ALLOWED_ORIGINS"] = f"http://127.0.0.1:{app_server}"
        server.start()
        try:
            yield server
        finally:
            server.stop()
    empty_tables(database_url)


def text_of(driver: Any, element_id: str, prefix: str, seconds: float = 15) -> str:
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + seconds
    while True:
        text = str(driver.find_element(By.ID, element_id).text)
        if not text.endswith("...") or time.monotonic() > deadline:
            assert text.startswith(prefix), text
            return text
        time.sleep(0.1)


def test_a_browser_app_on_an_allowed_origin_reads_and_subscribes(
    served: Served, browser: Any, app_server: int
) -> None:
    admin = served.cli("create-api-key", "--name", "backend", "--scope", "admin")
    created = served.graphql(admin, CUSTOMER)
    wallet = created["createCustomer"]["wallet"]["id"]
    minted = served.graphql(admin, TOKEN)
    query = urlencode(
        {"tally": served.url, "token": minted["createCustomerToken"]["token"], "wallet": wallet}
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    browser.get(f"http://127.0.0.1:{app_server}/app.html?{query}")
    assert "Acme Corp has 0" in text_of(browser, "http", "http: Acme Corp")
    assert text_of(browser, "ws", "ws: balance") == "ws: balance 0"
    browser.save_screenshot(str(SCREENSHOTS / "cors-allowed-origin.png"))

    browser.get(f"http://localhost:{app_server}/app.html?{query}")  # another origin
    assert text_of(browser, "http", "http: blocked") == "http: blocked"
    assert text_of(browser, "ws", "ws: refused") == "ws: refused"
    browser.save_screenshot(str(SCREENSHOTS / "cors-other-origin.png"))
