"""Who is calling: ``Authorization: Bearer <API key | customer token>``."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from app.access import tokens
from app.access.cache import KeyCache
from app.access.service import KEY_PREFIX, Principal
from app.errors import Unauthorized


async def authenticate(
    session: AsyncSession,
    keys: KeyCache,
    secret: str,
    authorization: str | None,
    now: datetime,
) -> Principal:
    if not authorization:
        raise Unauthorized(
            "Authorization",
            "missing credentials: send 'Authorization: Bearer <API key or customer token>'",
        )
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthorized("Authorization", "expected 'Authorization: Bearer <credential>'")
    if credential.startswith(KEY_PREFIX):
        return await keys.authenticate(session, f"Bearer {credential}")
    return tokens.verify(secret, credential, now)
