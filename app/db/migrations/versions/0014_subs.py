"""plan changes and commitments: a subscription's predecessor (a plan change) and its scheduled
plan (a downgrade at period end); a plan's minimum commitment and its charges' spending minimums

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("previous_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(None, "subscriptions", "subscriptions", ["previous_id"], ["id"])
    op.add_column("subscriptions", sa.Column("next_plan_id", sa.BigInteger(), nullable=True))
    op.create_foreign_key(None, "subscriptions", "plans", ["next_plan_id"], ["id"])
    op.add_column(
        "plans",
        sa.Column("commitment_minor", sa.BigInteger(), server_default="0", nullable=False),
    )
    op.create_table(
        "spending_minimums",
        sa.Column("plan_id", sa.BigInteger(), nullable=False),
        sa.Column("metric_id", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["metric_id"], ["billable_metrics.id"]),
        sa.PrimaryKeyConstraint("plan_id", "metric_id"),
    )


def downgrade() -> None:
    op.drop_table("spending_minimums")
    op.drop_column("plans", "commitment_minor")
    op.drop_column("subscriptions", "next_plan_id")
    op.drop_column("subscriptions", "previous_id")
