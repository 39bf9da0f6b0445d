"""Every table, imported once so Alembic and the tests see the whole schema."""

from sqlmodel import SQLModel

import app.access.models
import app.alerts.models
import app.audit.models
import app.billing.models
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
import app.wallets.models
import app.webhooks.models  # noqa: F401

metadata = SQLModel.metadata
