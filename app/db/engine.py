"""Engine and unit of work. One ``Database`` per event loop; the edge commits, services flush."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import cast
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from app.db.notes import Session


def async_url(url: str) -> str:
    """Accept ``postgres://``, ``postgresql://`` or ``postgresql+asyncpg://`` URLs."""
    parts = urlsplit(url)
    scheme = parts.scheme
    if scheme in ("postgres", "postgresql"):
        scheme = "postgresql+asyncpg"
    return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))


def plain_url(url: str) -> str:
    """The libpq form (``postgresql://``) for asyncpg used directly on the hot path."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql", parts.netloc, parts.path, parts.query, parts.fragment))


BeforeCommit = Callable[[AsyncSession], Awaitable[None]]


async def driver(session: AsyncSession) -> asyncpg.Connection:
    """The asyncpg connection under the session (inside its transaction), for statements that
    send whole arrays at once or must cost no more than their round trip; the session's
    transaction is begun first if no statement has begun it yet."""
    through = await session.connection()
    raw = await through.get_raw_connection()
    connection = cast(asyncpg.Connection, raw.driver_connection)
    if not connection.is_in_transaction():
        # SQLAlchemy sends BEGIN with the session's first statement, not when the connection
        # is checked out: before that, asyncpg would run each statement in a transaction of
        # its own, and the work would not be one unit. (The hot path's first statement goes
        # through the session, so it never pays for this one.)
        await through.exec_driver_sql("SELECT 1")
    return connection


class Database:
    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = async_url(url)
        # hide_parameters: a statement's values (a customer's data, an event's properties)
        # are left out of SQLAlchemy's errors, and so out of the logs.
        self.engine: AsyncEngine = create_async_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=False,
            hide_parameters=True,
        )
        self.sessions = async_sessionmaker(
            self.engine,
            class_=AsyncSession,
            sync_session_class=Session,  # notes that follow savepoints (``app.db.notes``)
            expire_on_commit=False,
            autoflush=False,
        )
        # Work every transaction does last, by name (e.g. the balance reactions).
        self.before_commit: dict[str, BeforeCommit] = {}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commit when the block ends, roll back if it raises."""
        async with self.sessions() as session:
            try:
                yield session
            except BaseException:
                await session.rollback()
                raise
            await self.commit(session)

    async def commit(self, session: AsyncSession) -> None:
        """Run the before-commit hooks (in the same transaction), then commit."""
        for hook in list(self.before_commit.values()):
            await hook(session)
        await session.commit()

    async def dispose(self) -> None:
        await self.engine.dispose()
