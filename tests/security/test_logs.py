"""No secret reaches a log, in any mode: a real ``tally serve`` (its own logging set up by the
``tally`` command) is sent failed logins by key and token, an operator's creation, a portal
link opened through uvicorn (its access log), customer tokens, and two unexpected errors with
keys in scope; then its whole output is searched for every secret it saw. Each unexpected
error is one log record naming the request id, which the response carries in
``x-request-id`` (the client's own, or one made up)."""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from app.access.service import KEY_PREFIX
from app.db.engine import plain_url
from tests.console.browser import Served, empty_tables

CUSTOMER = """mutation { createCustomer(input: {externalId: "acme", name: "Acme", currency: "USD",
  wallet: {rate: "0.01"}}) { __typename } }"""
OPERATOR = """mutation($password: String!) { createOperator(input: {email: "new@tally.test",
  password: $password, role: ADMIN}) { __typename } }"""
LINK = """mutation { createPortalLink(customerExternalId: "acme") { ... on PortalLink { url } } }"""
TOKEN = """mutation { createCustomerToken(customerExternalId: "acme") {
  ... on CustomerToken { token } } }"""
EVENT = {
    "transaction_id": "t-1",
    "customer_external_id": "acme",
    "metric_code": "api_call",
    "timestamp": "2030-01-01T00:00:00Z",
}


@pytest.fixture(params=["development", "production"])
def served(request: pytest.FixtureRequest, database_url: str) -> Iterator[Served]:
    empty_tables(database_url)
    with tempfile.TemporaryDirectory(prefix="tally-logs-") as folder:
        server = Served(database_url, Path(folder))
        server.env["TALLY_ENVIRONMENT"] = request.param
        server.start()
        try:
            yield server
        finally:
            server.stop()
    empty_tables(database_url)


def post(server: Served, path: str, key: str, body: dict[str, Any], **headers: str) -> Any:
    return httpx.post(
        server.url + path,
        json=body,
        headers={"authorization": f"Bearer {key}", **headers},
        timeout=30,
    )


def rename(database_url: str, table: str, to: str) -> None:
    """Make the next statement on ``table`` fail as an unexpected error would."""

    async def run() -> None:
        connection = await asyncpg.connect(plain_url(database_url))
        try:
            await connection.execute(f"ALTER TABLE {table} RENAME TO {to}")
        finally:
            await connection.close()

    asyncio.run(run())


def unexpected_errors(
    server: Served, database_url: str, admin: str, ingest: str, password: str
) -> list[str]:
    """A GraphQL query, an operator's creation and an ingest batch that fail unexpectedly, each
    with a key or a password in scope; their request ids."""
    rename(database_url, "customers", "customers_away")
    try:
        query = post(server, "/graphql", admin, {"query": "{ customers { nodes { id } } }"})
    finally:
        rename(database_url, "customers_away", "customers")
    assert query.json()["errors"][0]["message"] == "Unexpected error."
    rename(database_url, "operators", "operators_away")
    try:
        variables = {"password": password}
        operator = post(server, "/graphql", admin, {"query": OPERATOR, "variables": variables})
    finally:
        rename(database_url, "operators_away", "operators")
    assert operator.json()["errors"][0]["message"] == "Unexpected error."
    rename(database_url, "rejected_events", "rejected_away")
    try:
        batch = post(server, "/v1/events", ingest, {"events": [EVENT]}, **{"x-request-id": "r-1"})
    finally:
        rename(database_url, "rejected_away", "rejected_events")
    assert batch.status_code == 500
    assert batch.json()["error"]["code"] == "unexpected"
    assert batch.headers["x-request-id"] == "r-1"
    generated = query.headers["x-request-id"]
    assert len(generated) >= 16
    return [generated, operator.headers["x-request-id"], "r-1"]


def test_no_secret_reaches_the_log(served: Served, database_url: str) -> None:
    admin = served.cli("create-api-key", "--name", "admin", "--scope", "admin")
    ingest = served.cli("create-api-key", "--name", "ingest", "--scope", "ingest")
    unknown = KEY_PREFIX + secrets.token_urlsafe(32)
    password = "operator-" + secrets.token_hex(8)
    for path in ("/graphql", "/v1/events"):
        assert post(served, path, unknown, {"query": "{ customers { nodes { id } } }"}).is_error
    assert post(served, "/graphql", "eyJhbGciOiJIUzI1NiJ9.e30.forged", {"query": "{ a }"}).is_error

    assert post(served, "/graphql", admin, {"query": CUSTOMER}).status_code == 200
    created = post(
        served, "/graphql", admin, {"query": OPERATOR, "variables": {"password": password}}
    )
    assert created.json()["data"]["createOperator"]["__typename"] == "OperatorPayload"
    link = post(served, "/graphql", admin, {"query": LINK}).json()["data"]["createPortalLink"][
        "url"
    ]
    assert httpx.get(link, timeout=30).status_code == 200
    token = post(served, "/graphql", admin, {"query": TOKEN}).json()
    token = token["data"]["createCustomerToken"]["token"]
    mine = post(served, "/graphql", token, {"query": '{ customer(externalId: "acme") { name } }'})
    assert mine.json()["data"]["customer"]["name"] == "Acme"
    assert post(served, "/v1/events", token, {"events": [EVENT]}).status_code == 401
    request_ids = unexpected_errors(served, database_url, admin, ingest, password + "-2")

    served.stop()
    log = served.log.read_text()
    portal_token = link.rsplit("/", 1)[1]
    for name, secret in {
        "admin key": admin,
        "ingest key": ingest,
        "unknown key": unknown,
        "operator password": password,
        "second operator password": password + "-2",
        "portal link token": portal_token,
        "customer token": token,
    }.items():
        assert secret not in log, f"the {name} is in the log"
        assert secret[-24:] not in log, f"the end of the {name} is in the log"
    assert "/portal/[redacted]" in log  # uvicorn's access log kept the request, not the token
    for request_id in request_ids:
        lines = [line for line in log.splitlines() if f"request {request_id}" in line]
        assert len(lines) == 1, (request_id, lines)
        assert "unexpected error" in lines[0]
    assert "Exception in ASGI application" not in log  # logged once, by Tally, not again


async def test_every_response_names_its_request(http: httpx.AsyncClient) -> None:
    made_up = (await http.get("/health")).headers["x-request-id"]
    assert len(made_up) == 32 and made_up != (await http.get("/health")).headers["x-request-id"]
    kept = await http.get("/health", headers={"x-request-id": "client-42.a:b"})
    assert kept.headers["x-request-id"] == "client-42.a:b"
    for odd in ("x" * 129, "two words", "a\tb"):
        replaced = await http.get("/health", headers={"x-request-id": odd})
        assert replaced.headers["x-request-id"] not in (odd, "")
