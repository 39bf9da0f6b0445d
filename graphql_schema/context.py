"""Per-operation context: the caller, one database session (one transaction), dataloaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.types import Info as StrawberryInfo

from app.access.service import Principal
from app.runtime import Runtime

if TYPE_CHECKING:
    from graphql_schema.loaders import Loaders

T = TypeVar("T")


@dataclass(frozen=True)
class OperatorIdentity:
    """Who is logged in to the console."""

    id: int
    email: str
    role: str


class OperationEnded(Exception):
    """A resolver reached for the database after its operation had answered: graphql-core
    leaves the siblings of a field that failed running in the background."""


class Context:
    """One GraphQL operation. Resolvers reach the database through ``run`` (serialized, since
    an AsyncSession allows one statement at a time); the UnitOfWork extension commits.

    When a field fails, graphql-core answers at once and lets the field's siblings finish in
    the background. ``finish`` waits for the statement one of them is running, and a sibling
    that calls ``run`` after that gets ``OperationEnded`` instead of a new session — one that
    nothing would ever close, its connection and locks held for good."""

    def __init__(
        self,
        runtime: Runtime,
        principal: Principal | None,
        request: Any = None,
        *,
        operator: OperatorIdentity | None = None,
    ) -> None:
        self.runtime = runtime
        self.principal = principal
        self.request = request
        # A console operator acting through ``principal`` (its role's scopes): the audit log
        # and the ledger name the person, not a key.
        self.operator = operator
        self.connection_params: dict[str, Any] | None = None  # websockets: connection_init
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()
        self._after_commit: list[Callable[[], None]] = []
        self._cached: dict[Callable[[Context], Any], Any] = {}
        self._operations = 0  # in flight (a websocket's operations share its context)
        self._ended = False

    @property
    def now(self) -> datetime:
        return self.runtime.clock.now()

    @property
    def session(self) -> AsyncSession:
        if self._session is None:
            self._session = self.runtime.db.sessions()
        return self._session

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async with self._lock:
            if self._ended:
                raise OperationEnded
            return await work(self.session)

    def cached(self, factory: Callable[[Context], T]) -> T:
        """One instance of ``factory(context)`` per operation (a domain's dataloaders)."""
        found = self._cached.get(factory)
        if found is None:
            found = self._cached[factory] = factory(self)
        return found

    @cached_property
    def loaders(self) -> Loaders:
        from graphql_schema.loaders import Loaders

        return Loaders(self)

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once this operation's transaction has committed."""
        self._after_commit.append(callback)

    def begin(self) -> None:
        """An operation starts (the UnitOfWork extension)."""
        self._operations += 1
        self._ended = False

    async def finish(self, success: bool) -> None:
        async with self._lock:
            self._operations = max(0, self._operations - 1)
            self._ended = self._operations == 0
            await self._end(success)

    async def _end(self, success: bool) -> None:
        callbacks, self._after_commit = self._after_commit, []
        if self._session is None:
            return
        try:
            if success:
                await self.runtime.db.commit(self._session)
            else:
                await self._session.rollback()
                callbacks = []
        finally:
            await self._session.close()
            self._session = None
        for callback in callbacks:
            callback()


Info = StrawberryInfo[Context, None]
