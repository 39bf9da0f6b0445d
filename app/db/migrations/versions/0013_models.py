"""charge models: free units and events, per-transaction bounds, graduated percentage tiers,
pay-in-advance charges (accrued usage, in-advance fees per batch)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RATE = sa.Numeric(24, 12)


def upgrade() -> None:
    op.add_column(
        "charges", sa.Column("free_units", sa.Numeric(), server_default="0", nullable=False)
    )
    op.add_column(
        "charges", sa.Column("free_events", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column("charges", sa.Column("min_per_transaction", RATE, nullable=True))
    op.add_column("charges", sa.Column("max_per_transaction", RATE, nullable=True))
    op.add_column(
        "charges",
        sa.Column("pay_in_advance", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_check_constraint("ck_charges_free", "charges", "free_units >= 0 AND free_events >= 0")
    op.create_check_constraint(
        "ck_charges_per_transaction",
        "charges",
        "min_per_transaction IS NULL OR max_per_transaction IS NULL "
        "OR min_per_transaction <= max_per_transaction",
    )
    op.add_column("charge_tiers", sa.Column("rate", sa.Numeric(7, 4), nullable=True))
    op.add_column(
        "subscription_usage",
        sa.Column("accrued", sa.Numeric(), server_default="0", nullable=False),
    )
    op.create_table(
        "in_advance_fees",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("subscription_id", sa.BigInteger(), nullable=False),
        sa.Column("batch_id", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fees", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["subscription_id"], ["subscriptions.id"]),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("subscription_id", "batch_id", "period_start"),
    )


def downgrade() -> None:
    op.drop_table("in_advance_fees")
    op.drop_column("subscription_usage", "accrued")
    op.drop_column("charge_tiers", "rate")
    op.drop_constraint("ck_charges_per_transaction", "charges")
    op.drop_constraint("ck_charges_free", "charges")
    for column in (
        "pay_in_advance",
        "max_per_transaction",
        "min_per_transaction",
        "free_events",
        "free_units",
    ):
        op.drop_column("charges", column)
