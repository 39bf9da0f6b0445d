"""``driver()`` hands out the session's own asyncpg connection inside the session's
transaction, even when nothing went through the session before (SQLAlchemy begins lazily, with
the first statement): what is written through it is undone by the session's rollback."""

from __future__ import annotations

from sqlalchemy import text

from app.clock import SystemClock
from app.db.engine import Database, driver
from tests.core.support import count_rows


async def test_driver_on_a_fresh_session_writes_inside_its_transaction(db: Database) -> None:
    async with db.sessions() as session:
        connection = await driver(session)
        assert connection.is_in_transaction()
        await connection.execute(
            "INSERT INTO event_batches (source, received_at) VALUES ('http', $1)",
            SystemClock().now(),
        )
        through = await session.connection()
        seen = await through.execute(text("SELECT count(*) FROM event_batches"))
        assert seen.scalar_one() == 1  # the session and the driver share one transaction
        await session.rollback()
    assert await count_rows(db, "event_batches") == 0
