"""tally_debit_many draws each wallet's debits of a batch from its grants in one pass

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 07:00:00
"""

from collections.abc import Sequence

from alembic import op

from app.wallets.ledger_sql import DEBIT_MANY, DEBIT_MANY_0002, DRAW_MANY, DROP_DRAW_MANY

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(DRAW_MANY)
    op.execute(DEBIT_MANY)


def downgrade() -> None:
    op.execute(DEBIT_MANY_0002)
    op.execute(DROP_DRAW_MANY)
