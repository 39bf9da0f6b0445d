"""Per-operation context: the caller, one database session (one transaction), dataloaders."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
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


class Context:
    """One GraphQL operation. Resolvers reach the database through ``run`` (serialized, since
    an AsyncSession allows one statement at a time); the UnitOfWork extension commits."""

    def __init__(self, runtime: Runtime, principal: Principal | None, request: Any = None) -> None:
        self.runtime = runtime
        self.principal = principal
        self.request = request
        self._session: AsyncSession | None = None
        self._lock = asyncio.Lock()

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
            return await work(self.session)

    @cached_property
    def loaders(self) -> Loaders:
        from graphql_schema.loaders import Loaders

        return Loaders(self)

    async def finish(self, success: bool) -> None:
        if self._session is None:
            return
        try:
            if success:
                await self.runtime.db.commit(self._session)
            else:
                await self._session.rollback()
        finally:
            await self._session.close()
            self._session = None


Info = StrawberryInfo[Context, None]
