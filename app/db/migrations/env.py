"""Alembic environment: async engine, metadata from every domain's models.

Every table is imported here, once, so Alembic (and ``alembic check`` in the tests) sees the
whole schema; this script is the only code below the edge that knows every domain."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

import app.access.models
import app.alerts.models
import app.audit.models
import app.billing.models
import app.catalog_version
import app.customers.models
import app.idempotency
import app.invoices.models
import app.metering.models
import app.notifications.models
import app.operators.models
import app.outbox.models
import app.payments.models
import app.plans.models
import app.recharge.models
import app.recharge.refund_models
import app.wallets.models
import app.webhooks.models  # noqa: F401
from app.db.engine import async_url

metadata = SQLModel.metadata

config = context.config


def run_migrations(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_async() -> None:
    engine = create_async_engine(async_url(config.get_main_option("sqlalchemy.url") or ""))
    async with engine.connect() as connection:
        await connection.run_sync(run_migrations)
    await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `tally migrate`")
asyncio.run(run_async())
