"""outbox rows keep their state until the job is done: state, runs, started_at, done_at

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATES = ("pending", "relayed", "running", "done", "dead")
OPEN = "state IN ('pending', 'relayed', 'running')"


def upgrade() -> None:
    # Rows already handed on are done (as they were counted before); a constant default makes
    # the new column free to add, and only the few undispatched rows are rewritten.
    op.add_column(
        "outbox",
        sa.Column(
            "state",
            sa.Enum(*STATES, name="outboxstate", native_enum=False, length=24),
            server_default="done",
            nullable=False,
        ),
    )
    op.execute("UPDATE outbox SET state = 'pending' WHERE dispatched_at IS NULL")
    op.alter_column("outbox", "state", server_default="pending")
    op.add_column("outbox", sa.Column("runs", sa.Integer(), server_default="0", nullable=False))
    op.add_column("outbox", sa.Column("started_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("done_at", sa.DateTime(timezone=True), nullable=True))
    op.drop_index("ix_outbox_pending", table_name="outbox")
    op.create_index(
        "ix_outbox_open", "outbox", ["available_at"], postgresql_where=sa.text(OPEN)
    )
    op.create_index(
        "ix_outbox_dead", "outbox", ["topic"], postgresql_where=sa.text("state = 'dead'")
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_dead", table_name="outbox")
    op.drop_index("ix_outbox_open", table_name="outbox")
    op.execute("UPDATE outbox SET dispatched_at = NULL WHERE state IN ('pending')")
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["available_at"],
        postgresql_where=sa.text("dispatched_at IS NULL"),
    )
    for column in ("done_at", "started_at", "runs", "state"):
        op.drop_column("outbox", column)
