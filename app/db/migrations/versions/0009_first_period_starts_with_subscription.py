"""a subscription's first billing period starts when the subscription does

Period rows are keyed by their start (``subscription_usage``, ``usage_unique_values``,
``billing_periods``). Until now a first period started at the anchor's period start, before the
subscription existed; it now starts at ``started_at`` (``app.plans.periods.billing_period``), so
the rows of every first period move to that key. Invoices are not touched: one already issued
for a first period keeps its dates and amounts.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Only a subscription's first period can start before it: usage dated before the start is not
# charged, and every later period starts at an anchor date after it.
TABLES = ("usage_unique_values", "subscription_usage", "billing_periods")
UP = """
UPDATE {table} AS t SET period_start = s.started_at
FROM subscriptions s
WHERE t.subscription_id = s.id AND t.period_start < s.started_at
"""
FIRST_PERIODS = """
SELECT s.id, s.anchor, s.started_at, p.interval FROM subscriptions s
JOIN plans p ON p.id = s.plan_id
WHERE EXISTS (SELECT 1 FROM billing_periods b
              WHERE b.subscription_id = s.id AND b.period_start = s.started_at)
   OR EXISTS (SELECT 1 FROM subscription_usage u
              WHERE u.subscription_id = s.id AND u.period_start = s.started_at)
"""
DOWN = """
UPDATE {table} SET period_start = :before
WHERE subscription_id = :subscription AND period_start = :started
"""


def upgrade() -> None:
    for table in TABLES:
        op.execute(UP.format(table=table))


def downgrade() -> None:
    """Back to the anchor's period start (which is the start when the subscription began on an
    anchor date: then nothing moves)."""
    from app.plans.models import BillingInterval
    from app.plans.periods import period_containing

    bind = op.get_bind()
    for row in bind.execute(sa.text(FIRST_PERIODS)).all():
        interval = BillingInterval(row.interval)
        before = period_containing(row.anchor, interval, row.started_at).start
        if before == row.started_at:
            continue
        for table in TABLES:
            bind.execute(
                sa.text(DOWN.format(table=table)),
                {"before": before, "subscription": row.id, "started": row.started_at},
            )
