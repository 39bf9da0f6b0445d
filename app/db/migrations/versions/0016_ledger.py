"""Refunds of purchased credits (credit notes), and the index statements read by

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS = sa.Enum(
    "pending",
    "processing",
    "succeeded",
    "failed",
    "offline",
    name="refundstatus",
    native_enum=False,
    length=24,
)


def upgrade() -> None:
    op.create_table(
        "refunds",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("number", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("invoice_id", sa.BigInteger(), nullable=False),
        sa.Column("wallet_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.BigInteger(), nullable=False),
        sa.Column("grant_id", sa.BigInteger(), nullable=False),
        sa.Column("credits", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("bonus_credits", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("status", STATUS, nullable=False),
        sa.Column("payment_id", sa.BigInteger(), nullable=True),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column(
            "provider_reference", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
        ),
        sa.Column("failure_reason", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["invoice_id"], ["invoices.id"]),
        sa.ForeignKeyConstraint(["wallet_id"], ["wallets.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"]),
        sa.ForeignKeyConstraint(["grant_id"], ["grants.id"]),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"]),
        sa.ForeignKeyConstraint(["entry_id"], ["ledger_entries.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    op.create_index("ix_refunds_invoice_id", "refunds", ["invoice_id", "id"], unique=False)
    op.create_index("ix_refunds_wallet_id", "refunds", ["wallet_id", "id"], unique=False)
    op.create_index(
        "ix_ledger_wallet_created", "ledger_entries", ["wallet_id", "created_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ledger_wallet_created", table_name="ledger_entries")
    op.drop_index("ix_refunds_wallet_id", table_name="refunds")
    op.drop_index("ix_refunds_invoice_id", table_name="refunds")
    op.drop_table("refunds")
