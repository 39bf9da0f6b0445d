"""The catalog's version: one row (``catalog_state``) whose ``version`` changes with every
change to metrics (``app.metering``), plans or charges (``app.plans``), in the same
transaction. Each process compares it with its in-memory catalog (``app.plans.catalog``) on
every read, and reloads only when it differs: no polling, no TTL. Shared by the two domains
whose rows make the catalog, so it sits below both."""

from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

VERSION_SQL = "(SELECT version FROM catalog_state WHERE id = 1)"

TOUCH = text(
    "INSERT INTO catalog_state (id, version) VALUES (1, gen_random_uuid()) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version"
)


class CatalogState(SQLModel, table=True):
    """One row whose ``version`` changes with every change to metrics, plans or charges, in the
    same transaction: each process compares it with its in-memory catalog on every read."""

    __tablename__ = "catalog_state"

    id: int = Field(default=1, primary_key=True)
    version: uuid.UUID = Field(sa_type=UUID(as_uuid=True))


async def touch(session: AsyncSession) -> None:
    """Mark the catalog changed (call in the transaction that changes it)."""
    await (await session.connection()).execute(TOUCH)
