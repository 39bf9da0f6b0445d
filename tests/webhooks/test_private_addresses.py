"""Webhook URLs on loopback, private, link-local, metadata and other non-public addresses are
refused — when an endpoint is created or changed (a typed error naming ``url``) and again at
every delivery, after resolving the host, before any connection (DNS rebinding): a refused
delivery fails at once with the reason and is not retried. ``webhooks_allow_private`` lifts
the rule (the other webhook tests set it for their receiver on 127.0.0.1)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest
from sqlalchemy import text

from app import announcements
from app.clock import FrozenClock
from app.config import Settings
from app.runtime import Runtime
from tests.conftest import GraphQLClient
from tests.webhooks.support import CREATE_ENDPOINT, Receiver, settle
from tests.webhooks.test_delivery import INVOICE, deliveries
from workers.system import JobSystem

UPDATE = """mutation($input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(input: $input) {
  __typename ... on Error { code field message } } }"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"webhooks_allow_private": False})


async def create(gql: GraphQLClient, url: str) -> dict[str, Any]:
    data = await gql(CREATE_ENDPOINT, input={"url": url, "eventTypes": ["invoice.paid"]})
    result: dict[str, Any] = data["createWebhookEndpoint"]
    return result


REFUSED = [
    ("http://127.0.0.1:8080/hooks", "loopback"),
    ("http://127.1/", "loopback"),
    ("http://2130706433/", "loopback"),  # 127.0.0.1 in decimal
    ("http://0177.0.0.1/", "loopback"),  # in octal
    ("http://0x7f.0.0.1/", "loopback"),  # in hex
    ("http://localhost:9000/in", "local name"),
    ("http://LOCALHOST./", "local name"),
    ("http://api.localhost/", "local name"),
    ("http://[::1]/", "loopback"),
    ("http://[::ffff:127.0.0.1]/", "loopback"),  # IPv4-mapped IPv6
    ("http://[::ffff:a00:1]/", "private"),  # 10.0.0.1, mapped
    ("http://[64:ff9b::a9fe:a9fe]/", "cloud metadata"),  # 169.254.169.254 through NAT64
    ("http://[2002:c0a8:101::1]/", "private"),  # 6to4 of 192.168.1.1
    ("http://10.1.2.3/", "private"),
    ("http://172.16.0.1/", "private"),
    ("https://192.168.1.20/", "private"),
    ("http://[fd12:3456::1]/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "cloud metadata"),
    ("http://[fd00:ec2::254]/", "cloud metadata"),
    ("http://100.100.100.200/", "cloud metadata"),
    ("http://metadata.google.internal/computeMetadata/v1/", "local name"),
    ("http://169.254.1.1/", "link-local"),
    ("http://[fe80::1]/", "link-local"),
    ("http://100.64.0.1/", "not globally routable"),  # shared address space (CGNAT)
    ("http://0.0.0.0/", "unspecified"),
    ("http://[::]/", "unspecified"),
    ("http://224.0.0.1/", "multicast"),
    ("http://[ff02::1]/", "multicast"),
    ("http://240.0.0.1/", "private"),
]


@pytest.mark.parametrize(("url", "kind"), REFUSED)
async def test_a_non_public_address_is_refused_at_creation(
    gql: GraphQLClient, url: str, kind: str
) -> None:
    result = await create(gql, url)
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "private_address",
        "url",
    ), result
    assert kind in result["message"] and "public addresses only" in result["message"]
    assert (await gql("{ webhookEndpoints { id } }"))["webhookEndpoints"] == []


async def test_public_addresses_and_names_that_do_not_resolve_yet_are_accepted(
    gql: GraphQLClient,
) -> None:
    # Nothing is sent at creation: the literal is only classified, the name only looked up.
    for url in ("https://93.184.215.14/hooks", "https://[2606:4700::1111]/", "https://h.test/"):
        assert (await create(gql, url))["__typename"] == "CreateWebhookEndpointPayload", url


def private_hostname() -> str | None:
    """This machine's name when the system's resolver (here /etc/hosts) maps it to non-public
    addresses only, as it usually does (loopback, or a container's private address)."""
    host = socket.gethostname()
    try:
        found = {ipaddress.ip_address(i[4][0]) for i in socket.getaddrinfo(host, 80)}
    except OSError:
        return None
    return None if any(a.is_global for a in found) else host


async def test_a_name_that_resolves_to_a_private_address_is_refused(gql: GraphQLClient) -> None:
    host = private_hostname()
    if host is None:
        pytest.skip("this machine's name does not resolve to private addresses only")
    result = await create(gql, f"http://{host}:8080/hooks")
    assert (result["code"], result["field"]) == ("private_address", "url"), result
    assert host in result["message"]


async def test_changing_the_url_is_checked_too(gql: GraphQLClient) -> None:
    created = await create(gql, "https://hooks.acme.test/tally")
    endpoint_id = created["endpoint"]["id"]
    changed = await gql(UPDATE, input={"id": endpoint_id, "url": "http://[::1]:5432/"})
    result = changed["updateWebhookEndpoint"]
    assert (result["__typename"], result["code"], result["field"]) == (
        "ValidationError",
        "private_address",
        "url",
    )


async def saved_endpoint(runtime: Runtime, url: str) -> None:
    """An endpoint saved when its host still resolved to a public address (or before the rule):
    written as it is in the table, unchecked."""
    async with runtime.db.engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO webhook_endpoints (url, secret, event_types, description, active, "
                "created_at, updated_at) VALUES (:url, 'whsec_0123456789abcdef', "
                "ARRAY['invoice.paid'], '', true, now(), now())"
            ),
            {"url": url},
        )


async def test_a_delivery_to_a_private_address_fails_at_once_without_connecting(
    gql: GraphQLClient,
    runtime: Runtime,
    receiver: Receiver,
    jobs: JobSystem,
    database_url: str,
    clock: FrozenClock,
) -> None:
    urls = [receiver.url, f"http://localhost:{receiver.port}/hooks"]  # 127.0.0.1, a local name
    host = private_hostname()
    if host is not None:  # a name that resolves to a private address: looked up, then refused
        urls.append(f"http://{host}:{receiver.port}/hooks")
    for url in urls:
        await saved_endpoint(runtime, url)
    async with runtime.db.transaction() as session:
        await announcements.emit(session, "invoice.paid", INVOICE, runtime.clock.now())
    await settle(database_url, jobs, clock)

    assert receiver.requests == []
    logged = await deliveries(gql)
    assert [(d["status"], d["attempts"], d["nextAttemptAt"]) for d in logged] == [
        ("FAILED", 1, None)
    ] * len(urls)
    errors = sorted(d["lastError"] for d in logged)
    assert all(e.startswith("refused: ") and "public addresses only" in e for e in errors)
    assert any("127.0.0.1 is a loopback address" in e for e in errors)
    assert any("localhost is a local name" in e for e in errors)
