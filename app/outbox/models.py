from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy import Index, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from app.db.types import enum_field, id_field, timestamp


class OutboxKind(StrEnum):
    JOB = "job"  # a Dramatiq message: topic is the actor name ("<domain>.<verb>")
    LIVE = "live"  # a live message: topic is the bus channel


class OutboxState(StrEnum):
    """Where a row is in its life (README: "The job lifecycle")."""

    PENDING = "pending"  # written (or put back): handed on once ``available_at`` comes
    RELAYED = "relayed"  # handed to the broker; handed on again if not started by ``available_at``
    RUNNING = "running"  # an actor started it; handed on again if not done by ``available_at``
    DONE = "done"  # the actor finished (jobs) or the bus took it (live messages)
    DEAD = "dead"  # gave up after ``TALLY_JOB_MAX_RUNS`` runs, or an error retrying cannot fix


OPEN = ("pending", "relayed", "running")
OPEN_SQL = "state IN ('pending', 'relayed', 'running')"


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_open", "available_at", postgresql_where=text(OPEN_SQL)),
        Index("ix_outbox_dead", "topic", postgresql_where=text("state = 'dead'")),
    )

    id: int | None = id_field()
    kind: OutboxKind = enum_field(OutboxKind)
    topic: str = Field(max_length=255)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB)
    state: OutboxState = Field(
        default=OutboxState.PENDING,
        sa_type=SAEnum(
            OutboxState,
            native_enum=False,
            length=24,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        sa_column_kwargs={"server_default": OutboxState.PENDING.value},
    )
    created_at: datetime = timestamp()
    # When the row is next due: its first hand-off, a retry, or the end of its current lease.
    available_at: datetime = timestamp()
    dispatched_at: datetime | None = timestamp(nullable=True)  # the last hand-off
    started_at: datetime | None = timestamp(nullable=True)  # the last start by a worker
    done_at: datetime | None = timestamp(nullable=True)
    attempts: int = 0  # hand-offs to the broker or the bus
    runs: int = Field(default=0, sa_column_kwargs={"server_default": "0"})  # starts by a worker
    last_error: str | None = Field(default=None, max_length=500)
