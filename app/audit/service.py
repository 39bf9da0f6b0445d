"""Record and read audit entries. ``record`` only flushes: the caller's transaction commits it
together with the action it describes (or rolls both back)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.audit.models import SUMMARY_MAX, ActorKind, AuditEntry

SECRET_WORDS = ("password", "secret", "token")


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    name: str
    id: str | None = None

    def words(self) -> str:
        """How a sentence names the actor: an email, "API key “billing”", "customer acme"."""
        if self.kind is ActorKind.API_KEY:
            return f"API key “{self.name}”"
        return self.name


@dataclass(frozen=True)
class Action:
    action: str
    summary: str
    customer_external_id: str | None = None
    reason: str | None = None
    details: dict[str, Any] | None = None
    dedupe_key: str | None = None


def redact(value: Any) -> Any:
    """The input without passwords, secrets or tokens (they never reach the log)."""
    if isinstance(value, dict):
        return {
            k: "[hidden]" if any(w in k.lower() for w in SECRET_WORDS) else redact(v)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.name
    return str(value)


async def record(session: AsyncSession, actor: Actor, action: Action, now: datetime) -> bool:
    """Add one entry; False when an entry with the same dedupe key exists (a replay)."""
    values = {
        "created_at": now,
        "actor_kind": actor.kind.value,
        "actor_id": actor.id,
        "actor_name": actor.name[:320],
        "action": action.action[:100],
        "customer_external_id": action.customer_external_id,
        "summary": action.summary[:SUMMARY_MAX],
        "reason": action.reason[:500] if action.reason else None,
        "details": redact(action.details or {}),
        "dedupe_key": action.dedupe_key[:400] if action.dedupe_key else None,
    }
    statement = insert(AuditEntry).values(**values)
    if action.dedupe_key:
        statement = statement.on_conflict_do_nothing(
            index_elements=["dedupe_key"], index_where=col(AuditEntry.dedupe_key).isnot(None)
        )
    connection = await session.connection()
    result = await connection.execute(statement.returning(col(AuditEntry.id)))
    return result.first() is not None


async def page(
    session: AsyncSession,
    *,
    before_id: int | None,
    limit: int,
    customer_external_id: str | None = None,
    actions: Sequence[str] | None = None,
    exclude_actions: Sequence[str] = (),
    actor_name: str | None = None,
) -> Sequence[AuditEntry]:
    """Newest first; only ``actions`` when given, never ``exclude_actions``; only one actor's
    (an operator's email, an API key's name) when ``actor_name`` is given."""
    statement = select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)
    if before_id is not None:
        statement = statement.where(col(AuditEntry.id) < before_id)
    if customer_external_id is not None:
        statement = statement.where(AuditEntry.customer_external_id == customer_external_id)
    if actions is not None:
        statement = statement.where(col(AuditEntry.action).in_(list(actions)))
    if actor_name is not None:
        statement = statement.where(AuditEntry.actor_name == actor_name)
    if exclude_actions:
        statement = statement.where(col(AuditEntry.action).not_in(list(exclude_actions)))
    return (await session.exec(statement)).all()
