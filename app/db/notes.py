"""Notes a transaction keeps in Python (e.g. the wallets whose balance it changed) that follow
its savepoints, as its rows do: what is noted inside a savepoint is kept when the savepoint is
released and forgotten when it is rolled back, and a rolled-back transaction forgets all.

So work that follows a commit from a note (the balance reactions) never acts on a change that
was undone — a mutation that failed with a typed error inside a committed operation, or one
try of a unit of work that ran again.

The sessions of ``app.db.engine.Database`` use ``Session`` below, whose SQLAlchemy session
events keep one frame of notes per open savepoint on top of the transaction's own.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session as SQLModelSession
from sqlmodel.ext.asyncio.session import AsyncSession

FRAMES = "tally.notes"


class Session(SQLModelSession):
    """sqlmodel's session, with notes that follow savepoints (the events below)."""


@dataclass
class _Frame:
    savepoint: SessionTransaction | None  # None: the transaction itself
    notes: dict[str, set[Any]] = field(default_factory=dict)
    released: bool = False

    def merge(self, other: _Frame) -> None:
        for key, values in other.notes.items():
            self.notes.setdefault(key, set()).update(values)


def _frames(session: SQLModelSession) -> list[_Frame]:
    frames: list[_Frame] | None = session.info.get(FRAMES)
    if frames is None:
        frames = session.info[FRAMES] = [_Frame(None)]
    return frames


def note(session: AsyncSession, key: str, value: Hashable) -> None:
    """Note ``value`` under ``key`` in the innermost open savepoint (or the transaction)."""
    frame = _frames(session.sync_session)[-1]
    frame.notes.setdefault(key, set()).add(value)


def take(session: AsyncSession, key: str) -> set[Any]:
    """What the transaction noted under ``key`` and kept (outside any open savepoint, as at
    commit); forgets it."""
    return _frames(session.sync_session)[0].notes.pop(key, set())


@event.listens_for(Session, "after_transaction_create")
def _savepoint_opened(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        _frames(session).append(_Frame(transaction))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    # Dispatched by a savepoint's release too, before the savepoint closes.
    savepoint = session.get_nested_transaction()
    frames = _frames(session)
    if savepoint is not None and frames[-1].savepoint is savepoint:
        frames[-1].released = True


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    frames = _frames(session)
    if transaction.parent is None and not transaction.nested:
        frames[:] = [_Frame(None)]  # committed (the notes were taken) or rolled back
        return
    if not transaction.nested:
        return  # a subtransaction of a flush
    for depth in range(len(frames) - 1, 0, -1):
        if frames[depth].savepoint is transaction:
            ended = frames[depth]
            del frames[depth:]  # with any savepoint inside it left open: never released
            if ended.released:
                frames[-1].merge(ended)
            return
