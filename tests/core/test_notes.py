"""Notes follow savepoints as rows do: kept when a savepoint is released, forgotten when it is
rolled back (nested ones too), all forgotten with a rolled-back transaction."""

from __future__ import annotations

import pytest

from app.db import notes
from app.db.engine import Database

KEY = "test.notes"


class Undo(Exception):
    pass


async def test_notes_follow_savepoints(db: Database) -> None:
    async with db.sessions() as session:
        await session.connection()
        notes.note(session, KEY, 1)
        async with session.begin_nested():
            notes.note(session, KEY, 2)  # released: kept
        with pytest.raises(Undo):
            async with session.begin_nested():
                notes.note(session, KEY, 3)
                async with session.begin_nested():
                    notes.note(session, KEY, 4)  # released into a savepoint rolled back
                raise Undo
        async with session.begin_nested():
            with pytest.raises(Undo):
                async with session.begin_nested():
                    notes.note(session, KEY, 5)
                    raise Undo
            notes.note(session, KEY, 6)
        assert notes.take(session, KEY) == {1, 2, 6}
        assert notes.take(session, KEY) == set()  # taken once
        await session.commit()


async def test_a_rolled_back_transaction_forgets_its_notes(db: Database) -> None:
    async with db.sessions() as session:
        await session.connection()
        notes.note(session, KEY, 1)
        await session.rollback()
        await session.connection()
        notes.note(session, KEY, 2)
        assert notes.take(session, KEY) == {2}
