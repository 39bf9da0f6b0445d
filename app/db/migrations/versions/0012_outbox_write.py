"""tally_outbox_write: the one way an outbox row is written (Python and SQL alike)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence
from pathlib import Path

from alembic import op

# The function exactly as this migration creates it: a frozen copy (versions/sql/0012_*.sql),
# never the current one (app/outbox/sql/tally_outbox_write.sql).
FROZEN = Path(__file__).parent / "sql"
OUTBOX_WRITE = (FROZEN / "0012_tally_outbox_write.sql").read_text()
DROP_OUTBOX_WRITE = (
    "DROP FUNCTION IF EXISTS tally_outbox_write(text, text, jsonb, timestamptz, timestamptz)"
)

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(OUTBOX_WRITE)


def downgrade() -> None:
    op.execute(DROP_OUTBOX_WRITE)
