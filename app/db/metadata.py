"""Every table, imported once so Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

import app.access.models
import app.customers.models
import app.idempotency
import app.outbox.models
import app.wallets.models  # noqa: F401

metadata = SQLModel.metadata
