"""What the outbox holds that is not done: per kind (an actor name, or ``live``), how many rows
are open (pending, relayed or running), since when the oldest, and how many are dead. Read by
``/ready`` and ``/metrics``; both statements use the partial indexes on open and dead rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from app.db import sql
from app.db.engine import Database
from app.outbox.models import OPEN_SQL

BACKLOG = text(sql.load("app.outbox", "backlog", open=OPEN_SQL))


@dataclass(frozen=True)
class KindBacklog:
    kind: str
    pending: int
    oldest_pending_seconds: float
    dead: int


async def read(db: Database, now: datetime) -> list[KindBacklog]:
    async with db.engine.connect() as connection:
        rows = (await connection.execute(BACKLOG)).all()
    pending: dict[str, tuple[int, float]] = {}
    dead: dict[str, int] = {}
    for kind, count, oldest, is_dead in rows:
        if is_dead:
            dead[kind] = int(count)
        else:
            pending[kind] = (int(count), max(0.0, (now - oldest).total_seconds()))
    return [
        KindBacklog(kind, *pending.get(kind, (0, 0.0)), dead.get(kind, 0))
        for kind in sorted(pending.keys() | dead.keys())
    ]


def summary(kinds: list[KindBacklog]) -> dict[str, float | int]:
    """All kinds together: open rows, the oldest one's age in seconds, dead rows."""
    return {
        "pending": sum(k.pending for k in kinds),
        "oldest_pending_seconds": max((k.oldest_pending_seconds for k in kinds), default=0.0),
        "dead": sum(k.dead for k in kinds),
    }
