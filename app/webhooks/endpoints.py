"""Managing webhook endpoints: an http(s) URL, a signing secret, the event types it wants."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlmodel.ext.asyncio.session import AsyncSession

from app.errors import ValidationFailed, check_length
from app.webhooks import addresses, repository
from app.webhooks.models import EVENT_TYPES, WebhookEndpoint

URL_MAX = 2048
SECRET_MIN = 16
SECRET_MAX = 255
DESCRIPTION_MAX = 500
RESOLVE_SECONDS = 3.0


@dataclass(frozen=True)
class EndpointInput:
    url: str
    event_types: list[str]
    secret: str | None = None
    description: str = ""
    active: bool = True


def check_url(value: str, field: str = "url") -> str:
    url = check_length(value, field, URL_MAX)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise ValidationFailed(field, "must be an http:// or https:// URL", code="invalid_url")
    if not parts.hostname:
        raise ValidationFailed(field, "must name a host", code="invalid_url")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError:
        raise ValidationFailed(field, "has an invalid port", code="invalid_url") from None
    return url


async def check_destination(url: str, allow_private: bool, field: str = "url") -> str:
    """Refuse a URL whose host is, or now resolves to, a non-public address (unless allowed).
    A name that does not resolve yet is accepted: every delivery checks it again."""
    url = check_url(url, field)
    if allow_private:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        await addresses.destination(host, parts.port or 443, RESOLVE_SECONDS)
    except addresses.Refused as refused:
        raise ValidationFailed(field, str(refused), code="private_address") from None
    except (OSError, TimeoutError, UnicodeError):
        pass
    return url


def check_event_types(values: list[str], field: str = "eventTypes") -> list[str]:
    chosen: list[str] = []
    for value in values:
        name = value.strip()
        if name not in EVENT_TYPES:
            known = ", ".join(EVENT_TYPES)
            raise ValidationFailed(
                field, f"unknown event type '{name}' (known: {known})", code="unknown_event_type"
            )
        if name not in chosen:
            chosen.append(name)
    if not chosen:
        raise ValidationFailed(field, "must list at least one event type", code="required")
    return chosen


def check_secret(value: str | None) -> str:
    """A given secret (16 to 255 visible characters), or a new random one."""
    if value is None:
        return "whsec_" + secrets.token_urlsafe(32)
    if not SECRET_MIN <= len(value) <= SECRET_MAX or any(c.isspace() for c in value):
        raise ValidationFailed(
            "secret", f"must be {SECRET_MIN} to {SECRET_MAX} characters without spaces"
        )
    return value


async def create(
    session: AsyncSession, data: EndpointInput, now: datetime, *, allow_private: bool = False
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=await check_destination(data.url, allow_private),
        secret=check_secret(data.secret),
        event_types=check_event_types(data.event_types),
        description=check_length(data.description, "description", DESCRIPTION_MAX, required=False),
        active=data.active,
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    await session.flush()
    return endpoint


@dataclass(frozen=True)
class EndpointChanges:
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    active: bool | None = None


async def update(
    session: AsyncSession,
    endpoint_id: int,
    changes: EndpointChanges,
    now: datetime,
    *,
    allow_private: bool = False,
) -> WebhookEndpoint:
    endpoint = await repository.endpoint(session, endpoint_id)
    if changes.url is not None:
        endpoint.url = await check_destination(changes.url, allow_private)
    if changes.event_types is not None:
        endpoint.event_types = check_event_types(changes.event_types)
    if changes.description is not None:
        endpoint.description = check_length(
            changes.description, "description", DESCRIPTION_MAX, required=False
        )
    if changes.active is not None:
        endpoint.active = changes.active
    endpoint.updated_at = now
    session.add(endpoint)
    await session.flush()
    return endpoint


async def delete(session: AsyncSession, endpoint_id: int) -> None:
    """Remove the endpoint and its delivery log; its pending deliveries are dropped."""
    endpoint = await repository.endpoint(session, endpoint_id)
    await session.delete(endpoint)
    await session.flush()
