"""tally_debit_many draws each wallet's debits of a batch from its grants in one pass

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 07:00:00
"""

from collections.abc import Sequence
from pathlib import Path

from alembic import op

# The functions exactly as this migration created them when it ran (versions/sql/0008_*.sql);
# its downgrade puts back 0002's tally_debit_many.
FROZEN = Path(__file__).parent / "sql"
DRAW_MANY = (FROZEN / "0008_tally_draw_many.sql").read_text()
DEBIT_MANY = (FROZEN / "0008_tally_debit_many.sql").read_text()
DEBIT_MANY_0002 = (FROZEN / "0002_tally_debit_many.sql").read_text()
DROP_DRAW_MANY = "DROP FUNCTION IF EXISTS tally_draw_many(bigint, bigint[], numeric[], timestamptz)"

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
