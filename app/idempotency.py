"""Idempotency keys for every operation that moves money or credits.

``claim`` inserts (scope, key) with a fingerprint of the request in the caller's transaction.
A concurrent second claim waits on the unique index until the first commits, then sees it.
The same key with another request is a Conflict; with the same request, the stored result.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, PrimaryKeyConstraint, text
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.types import timestamp
from app.errors import Conflict, check_length


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    __table_args__ = (PrimaryKeyConstraint("scope", "key"),)

    scope: str = Field(max_length=64)
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)
    result_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = timestamp()


def fingerprint(request: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()


async def claim(
    session: AsyncSession, scope: str, key: str, request: dict[str, Any], now: datetime
) -> int | None:
    """Return the earlier result id for a replayed request, or None when this is the first."""
    key = check_length(key, "idempotencyKey", 255)
    digest = fingerprint(request)
    inserted = await (await session.connection()).execute(
        text(
            "INSERT INTO idempotency_keys (scope, key, fingerprint, created_at) "
            "VALUES (:scope, :key, :fp, :now) ON CONFLICT DO NOTHING RETURNING key"
        ),
        {"scope": scope, "key": key, "fp": digest, "now": now},
    )
    if inserted.first() is not None:
        return None
    row = (
        await (await session.connection()).execute(
            text("SELECT fingerprint, result_id FROM idempotency_keys WHERE scope=:s AND key=:k"),
            {"s": scope, "k": key},
        )
    ).one()
    if row.fingerprint != digest:
        raise Conflict(
            "idempotencyKey",
            "this idempotency key was already used for a different request",
            code="idempotency_key_reused",
        )
    return int(row.result_id)


async def record(session: AsyncSession, scope: str, key: str, result_id: int) -> None:
    await (await session.connection()).execute(
        text("UPDATE idempotency_keys SET result_id=:r WHERE scope=:s AND key=:k"),
        {"r": result_id, "s": scope, "k": key.strip()},
    )
