"""A real headless Chromium (Debian's chromium + chromium-driver, driven by selenium) against
a real `tally serve` started on the test database. Screenshots go to artifacts/screenshots/."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from app.db.engine import plain_url

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
SECRET = "browser-test-secret-0123456789abcdef"
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1366,900",
)


def chromium() -> tuple[str, str]:
    """Chromium and its driver, or skip — except in CI, where their absence is a failure."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if browser and driver:
        return browser, driver
    reason = (
        "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)"
    )
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run installs them in CI", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def empty_tables(database_url: str) -> None:
    async def run() -> None:
        connection = await asyncpg.connect(plain_url(database_url))
        try:
            names = [
                r[0]
                for r in await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                    "AND tablename <> 'alembic_version'"
                )
            ]
            await connection.execute(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
        finally:
            await connection.close()

    asyncio.run(run())


class Served:
    """`tally serve` in a subprocess, and the CLI on the same database."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.tally = str(Path(sys.executable).parent / "tally")
        self.env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("PYTEST_", "NICEGUI_", "TALLY_"))
        }
        self.env.update(
            DATABASE_URL=database_url,
            TALLY_SECRET_KEY=SECRET,
            TALLY_DATA_DIR=str(data_dir),
            TALLY_PUBLIC_URL=self.url,
            TALLY_ENVIRONMENT="test",
        )
        self.log = data_dir / "serve.log"
        self.process: subprocess.Popen[bytes] | None = None

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [self.tally, *args], env=self.env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().splitlines()[-1]

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [self.tally, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 300  # a loaded CI machine starts it slowly
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("tally serve did not start:\n" + self.log.read_text())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def graphql(self, key: str, query: str, **variables: Any) -> dict[str, Any]:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {key}"},
            timeout=30,
        )
        body: dict[str, Any] = response.json()
        assert response.status_code == 200 and not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data


@pytest.fixture
def served(database_url: str) -> Iterator[Served]:
    empty_tables(database_url)
    with tempfile.TemporaryDirectory(prefix="tally-browser-") as folder:
        server = Served(database_url, Path(folder))
        try:
            server.start()  # inside the try: a server that failed to start is stopped too
            yield server
        finally:
            server.stop()
    empty_tables(database_url)


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary, driver_path = chromium()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in FLAGS:
        options.add_argument(flag)
    with tempfile.TemporaryDirectory(prefix="tally-chromium-") as profile:
        options.add_argument(f"--user-data-dir={profile}")
        driver = webdriver.Chrome(options=options, service=Service(driver_path))
        driver.set_page_load_timeout(30)
        try:
            yield driver
        finally:
            driver.quit()


def literal(text: str) -> str:
    """``text`` as an XPath string literal (XPath 1.0 has no escapes: "customer's")."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in parts) + ")"
