"""credits over time: rollover policies and period boundaries, expiry notices, runway alerts

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# The functions exactly as this migration creates them: frozen copies (versions/sql/0015_*.sql).
FROZEN = Path(__file__).parent / "sql"
ROLLOVER = (FROZEN / "0015_tally_rollover.sql").read_text()
EXPIRE = (FROZEN / "0015_tally_expire.sql").read_text()
EXPIRE_BEFORE = (FROZEN / "0001_tally_expire.sql").read_text()

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POLICIES = ("expire_at_period_end", "rollover_with_expiry", "rollover")


def _policy_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column(
            "rollover_policy",
            sa.Enum(*POLICIES, name="rolloverpolicy", native_enum=False, length=24),
            nullable=True,
        ),
        sa.Column("rollover_months", sa.Integer(), nullable=True),
        sa.Column("rollover_cap", sa.Numeric(precision=24, scale=6), nullable=True),
    ]


def upgrade() -> None:
    for column in _policy_columns():
        op.add_column("wallets", column)
    op.add_column("wallets", sa.Column("period_anchor", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "wallets", sa.Column("period_months", sa.Integer(), server_default="1", nullable=False)
    )
    op.add_column(
        "wallets", sa.Column("boundary_index", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("wallets", sa.Column("next_boundary", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_wallets_next_boundary",
        "wallets",
        ["next_boundary"],
        unique=False,
        postgresql_where=sa.text("next_boundary IS NOT NULL"),
    )
    for column in _policy_columns():
        op.add_column("grants", column)
    op.add_column("grants", sa.Column("rolled_from", sa.BigInteger(), nullable=True))
    op.create_foreign_key(None, "grants", "grants", ["rolled_from"], ["id"])
    op.create_table(
        "notice_settings",
        sa.Column("wallet_id", sa.BigInteger(), nullable=False),
        sa.Column("expiry_lead_days", sa.ARRAY(sa.Integer()), nullable=True),
        sa.Column("runway_threshold_days", sa.Integer(), nullable=True),
        sa.Column("runway_window_days", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["wallet_id"], ["wallets.id"]),
        sa.PrimaryKeyConstraint("wallet_id"),
    )
    op.create_table(
        "expiry_notices",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("wallet_id", sa.BigInteger(), nullable=False),
        sa.Column("grant_id", sa.BigInteger(), nullable=False),
        sa.Column("lead_days", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"]),
        sa.ForeignKeyConstraint(["wallet_id"], ["wallets.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grant_id", "lead_days"),
    )
    op.create_index(
        "ix_expiry_notices_wallet_id", "expiry_notices", ["wallet_id", sa.text("id DESC")]
    )
    op.create_table(
        "runway_states",
        sa.Column("wallet_id", sa.BigInteger(), nullable=False),
        sa.Column("days", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("daily_burn", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("runs_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["wallet_id"], ["wallets.id"]),
        sa.PrimaryKeyConstraint("wallet_id"),
    )
    op.execute(ROLLOVER)
    op.execute(EXPIRE)


def downgrade() -> None:
    op.execute(EXPIRE_BEFORE)
    op.execute("DROP FUNCTION IF EXISTS tally_rollover(bigint[], timestamptz)")
    op.drop_table("runway_states")
    op.drop_index("ix_expiry_notices_wallet_id", table_name="expiry_notices")
    op.drop_table("expiry_notices")
    op.drop_table("notice_settings")
    op.drop_constraint("grants_rolled_from_fkey", "grants", type_="foreignkey")
    for name in ("rolled_from", "rollover_cap", "rollover_months", "rollover_policy"):
        op.drop_column("grants", name)
    op.drop_index("ix_wallets_next_boundary", table_name="wallets")
    for name in (
        "next_boundary",
        "boundary_index",
        "period_months",
        "period_anchor",
        "rollover_cap",
        "rollover_months",
        "rollover_policy",
    ):
        op.drop_column("wallets", name)
