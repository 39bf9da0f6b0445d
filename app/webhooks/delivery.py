"""One signed POST of an event to an endpoint (httpx), and what came of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import orjson

from app.webhooks import signing
from app.webhooks.models import WebhookEndpoint, WebhookEvent

USER_AGENT = "Tally-Webhooks/1"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str | None


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
    endpoint: WebhookEndpoint, event: WebhookEvent, now: datetime, timeout_seconds: float
) -> Outcome:
    """POST once. A 2xx answer is a success; anything else, or no answer, is a failure."""
    content = body(event)
    try:
        async with httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False) as client:
            response = await client.post(
                endpoint.url, content=content, headers=headers(endpoint, event, content, now)
            )
    except httpx.HTTPError as error:
        return Outcome(False, None, f"{type(error).__name__}: {error}"[:1000])
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code, None)
    excerpt = response.text[:200].strip()
    return Outcome(False, response.status_code, f"HTTP {response.status_code}: {excerpt}"[:1000])
