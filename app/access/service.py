"""API keys: minted once (the secret is shown then and never again), stored as a digest."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.access.models import ApiKey, Scope
from app.errors import NotFound, ValidationFailed, check_length

KEY_PREFIX = "tly_"


@dataclass(frozen=True)
class Principal:
    """Who is calling: an API key (id and scopes), or one customer through a customer token."""

    key_id: int
    name: str
    scopes: frozenset[Scope]
    customer_id: int | None = None
    customer_external_id: str | None = None
    expires_at: datetime | None = None  # a customer token's end; an API key has none

    def can(self, scope: Scope) -> bool:
        """API-key scopes. A customer token has none: it reaches only its own customer."""
        if self.customer_id is not None:
            return False
        return Scope.ADMIN in self.scopes or scope in self.scopes

    def acts_for(self, customer_id: int) -> bool:
        """May this caller read and act for this customer?"""
        return self.customer_id == customer_id or self.can(Scope.READ)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse_scopes(values: list[str]) -> list[Scope]:
    if not values:
        raise ValidationFailed("scopes", "at least one scope is required")
    try:
        return sorted({Scope(v.strip().lower()) for v in values})
    except ValueError:
        allowed = ", ".join(s.value for s in Scope)
        raise ValidationFailed("scopes", f"scopes must be among: {allowed}") from None


async def create(
    session: AsyncSession, name: str, scopes: list[str], now: datetime
) -> tuple[ApiKey, str]:
    """Return the stored key and its secret (to show once)."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        name=check_length(name, "name", 255),
        prefix=secret[:12],
        digest=digest(secret),
        scopes=[s.value for s in parse_scopes(scopes)],
        created_at=now,
    )
    session.add(key)
    await session.flush()
    return key, secret


async def is_active(session: AsyncSession, secret: str) -> bool:
    """Is ``secret`` an API key on file and not revoked?"""
    statement = select(ApiKey).where(ApiKey.digest == digest(secret))
    key = (await session.exec(statement)).first()
    return key is not None and key.revoked_at is None


async def revoke(session: AsyncSession, key_id: int, now: datetime) -> ApiKey:
    key = await session.get(ApiKey, key_id)
    if key is None:
        raise NotFound("id", f"no API key with id {key_id}")
    if key.revoked_at is None:
        key.revoked_at = now
        session.add(key)
        await session.flush()
    return key


async def listing(session: AsyncSession) -> list[ApiKey]:
    return list((await session.exec(select(ApiKey).order_by(col(ApiKey.id)))).all())
