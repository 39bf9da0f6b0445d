"""Recently verified API keys, so the ingest hot path does not ask the database per request.

A bounded LRU of the keys that verified: at most ``size`` entries, each trusted for ``ttl``
seconds. A key that matched nothing (unknown or revoked) is never kept, so a client sending
random keys costs one indexed lookup per request and no memory. A revocation is seen at once by
the process that made it (``forget_all``) and within ``ttl`` seconds by every other process.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.access.models import ApiKey, Scope
from app.access.service import Principal, digest
from app.errors import Unauthorized


class KeyCache:
    def __init__(self, ttl: float, size: int = 10_000) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: OrderedDict[str, tuple[float, Principal]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    async def authenticate(self, session: AsyncSession, authorization: str | None) -> Principal:
        if not authorization:
            raise Unauthorized(
                "Authorization", "missing API key: send 'Authorization: Bearer <key>'"
            )
        scheme, _, secret = authorization.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthorized("Authorization", "expected 'Authorization: Bearer <key>'")
        key_digest = digest(secret.strip())
        principal = self._cached(key_digest)
        if principal is None:
            principal = await self._load(session, key_digest)
            if principal is None:
                raise Unauthorized("Authorization", "unknown or revoked API key")
            self._keep(key_digest, principal)
        return principal

    def _cached(self, key_digest: str) -> Principal | None:
        entry = self._entries.get(key_digest)
        if entry is None:
            return None
        if entry[0] <= time.monotonic():
            del self._entries[key_digest]
            return None
        self._entries.move_to_end(key_digest)
        return entry[1]

    def _keep(self, key_digest: str, principal: Principal) -> None:
        if self.ttl <= 0 or self.size <= 0:
            return
        self._entries[key_digest] = (time.monotonic() + self.ttl, principal)
        self._entries.move_to_end(key_digest)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    async def _load(self, session: AsyncSession, key_digest: str) -> Principal | None:
        statement = select(ApiKey).where(ApiKey.digest == key_digest)
        key = (await session.exec(statement)).one_or_none()
        if key is None or key.revoked_at is not None or key.id is None:
            return None
        return Principal(key.id, key.name, frozenset(Scope(s) for s in key.scopes))

    def forget_all(self) -> None:
        self._entries.clear()
