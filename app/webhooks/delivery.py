"""One signed POST of an event to an endpoint (httpx), and what came of it.

The endpoint's host is resolved here and every address it resolves to is checked unless
private addresses are allowed (``app.webhooks.addresses``); the request goes to those addresses
(in order, until one connects) with the URL's host in ``Host`` and in TLS (SNI and the
certificate check). So a name that resolved to a public address when the endpoint was saved
and to a private one now (DNS rebinding) is refused before any connection is made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import orjson

from app.webhooks import addresses, signing
from app.webhooks.models import WebhookEndpoint, WebhookEvent

USER_AGENT = "Tally-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None
    final: bool = False  # retrying cannot help (the destination is refused)


@dataclass(frozen=True)
class Target:
    """The URL once per address its host resolved to (tried in order until one connects), and
    the URL's host for ``Host`` and TLS (SNI and the certificate check)."""

    urls: list[httpx.URL]
    extensions: dict[str, Any]
    host_header: dict[str, str]


async def target(url: str, allow_private: bool, timeout_seconds: float) -> Target:
    """Resolve the URL's host and check every address unless private ones are allowed."""
    parsed = httpx.URL(url)
    host = parsed.host
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    found = await addresses.destination(host, port, timeout_seconds, check=not allow_private)
    extensions: dict[str, Any] = {"sni_hostname": host} if parsed.scheme == "https" else {}
    urls = [parsed.copy_with(host=str(address)) for address in found.addresses]
    return Target(urls, extensions, {"Host": parsed.netloc.decode("ascii")})


def body(event: WebhookEvent) -> bytes:
    """The JSON payload: ``{"id", "type", "created_at", "data"}``."""
    payload: dict[str, Any] = {
        "id": event.public_id,
        "type": event.type,
        "created_at": event.created_at.isoformat(),
        "data": event.data,
    }
    return orjson.dumps(payload)


def headers(
    endpoint: WebhookEndpoint, event: WebhookEvent, content: bytes, now: datetime
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Tally-Event-Id": event.public_id,
        "Tally-Event-Type": event.type,
        signing.HEADER: signing.sign(endpoint.secret, int(now.timestamp()), content),
    }


async def post(
    endpoint: WebhookEndpoint,
    event: WebhookEvent,
    now: datetime,
    timeout_seconds: float,
    allow_private: bool = False,
) -> Outcome:
    """POST once. A 2xx answer is a success; anything else, or no answer, is a failure; a
    refused destination is a final failure."""
    content = body(event)
    try:
        to = await target(endpoint.url, allow_private, timeout_seconds)
    except addresses.Refused as refused:
        return Outcome(False, None, f"refused: {refused}"[:1000], final=True)
    except (OSError, TimeoutError, UnicodeError) as error:
        reason = str(error) or type(error).__name__
        return Outcome(False, None, f"the host did not resolve: {reason}"[:1000])
    try:
        async with httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False) as client:
            response = await _send(client, to, content, headers(endpoint, event, content, now))
    except httpx.HTTPError as error:
        return Outcome(False, None, f"{type(error).__name__}: {error}"[:1000])
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code, None)
    excerpt = response.text[:200].strip()
    return Outcome(False, response.status_code, f"HTTP {response.status_code}: {excerpt}"[:1000])


async def _send(
    client: httpx.AsyncClient, to: Target, content: bytes, signed: dict[str, str]
) -> httpx.Response:
    for url in to.urls[:-1]:
        try:
            return await _post(client, url, to, content, signed)
        except httpx.ConnectError:
            continue  # the next address of the same host
    return await _post(client, to.urls[-1], to, content, signed)


async def _post(
    client: httpx.AsyncClient, url: httpx.URL, to: Target, content: bytes, signed: dict[str, str]
) -> httpx.Response:
    request_headers = {**signed, **to.host_header}
    return await client.post(
        url, content=content, headers=request_headers, extensions=to.extensions
    )
