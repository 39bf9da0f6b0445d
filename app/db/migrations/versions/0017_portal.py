"""top_up_options.customer_switches_auto_recharge: the operator lets the customer turn the
wallet's auto-recharge on and off from the portal (or a customer token)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "top_up_options",
        sa.Column(
            "customer_switches_auto_recharge",
            sa.Boolean(),
            server_default=sa.false(),
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("top_up_options", "customer_switches_auto_recharge")
