"""The console's cookie is `Secure` when Tally is served over https (TALLY_PUBLIC_URL's scheme,
or TALLY_CONSOLE_SECURE_COOKIES), and never sent along with other sites' requests."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from app.config import Settings
from tests.console.browser import Served, empty_tables


def test_the_default_follows_the_public_url() -> None:
    assert Settings(public_url="https://billing.example.com").secure_cookies is True
    assert Settings(public_url="http://127.0.0.1:8000").secure_cookies is False
    assert Settings(public_url=None).secure_cookies is False
    forced = Settings(public_url="http://10.0.0.5:8000", console_secure_cookies=True)
    assert forced.secure_cookies is True


def cookie_of(served: Served) -> str:
    served.start()
    try:
        response = httpx.get(served.url + "/console/login", timeout=30)
    finally:
        served.stop()
    assert response.status_code == 200
    return response.headers["set-cookie"].lower()


def test_served_over_https_the_cookie_is_secure(database_url: str) -> None:
    empty_tables(database_url)
    with tempfile.TemporaryDirectory(prefix="tally-cookies-") as folder:
        served = Served(database_url, Path(folder))
        served.env["TALLY_PUBLIC_URL"] = "https://billing.example.com"  # behind a TLS proxy
        cookie = cookie_of(served)
        assert cookie.startswith("session=")
        assert "; secure" in cookie and "samesite=lax" in cookie and "httponly" in cookie
