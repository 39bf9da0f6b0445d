"""GraphiQL works offline: its page names no other host, and every script and stylesheet it
loads is served by Tally — the bytes Strawberry pins (their ``integrity`` hashes check)."""

from __future__ import annotations

import base64
import hashlib
import re

import httpx

HTML = {"accept": "text/html"}


def loaded(page: str) -> list[tuple[str, str]]:
    """(address, integrity) of every script and stylesheet the page loads."""
    tags = re.findall(r"<(?:script|link)\b[^>]*>", page)
    found = []
    for tag in tags:
        address = re.search(r"""(?:src|href)="([^"]+)""", tag)
        integrity = re.search(r'integrity="([^"]+)"', tag)
        if address and not address.group(1).startswith("data:"):
            found.append((address.group(1), integrity.group(1) if integrity else ""))
    return found


async def test_the_graphiql_page_names_no_other_host(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers=HTML)
    assert response.status_code == 200
    assert "unpkg" not in response.text and "cdn" not in response.text.lower()
    assets = loaded(response.text)
    assert len(assets) == 7
    assert all(address.startswith("/graphql/ide/") for address, _ in assets), assets


async def test_every_asset_loads_with_the_pinned_bytes(http: httpx.AsyncClient) -> None:
    page = (await http.get("/graphql", headers=HTML)).text
    for address, integrity in loaded(page):
        response = await http.get(address)  # httpx accepts gzip, and unpacks it
        assert response.status_code == 200, address
        assert response.headers["content-encoding"] == "gzip"
        assert "immutable" in response.headers["cache-control"]
        digest = base64.b64encode(hashlib.sha384(response.content).digest()).decode()
        assert integrity == f"sha384-{digest}", address
        kind = "text/css" if address.endswith(".css") else "text/javascript"
        assert response.headers["content-type"].startswith(kind)


async def test_a_browser_without_gzip_gets_the_file_unpacked(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql/ide/js-cookie-3.0.5.min.js", headers={"accept-encoding": "identity"}
    )
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.content.startswith(b"/*! js-cookie v3.0.5")


async def test_only_the_vendored_files_are_served(http: httpx.AsyncClient) -> None:
    for name in ("../__init__.py", "LICENSES.txt", "graphiql-3.8.3.min.js.gz", "x.js"):
        response = await http.get(f"/graphql/ide/{name}")
        assert response.status_code == 404, name
