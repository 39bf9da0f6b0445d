"""A job's own marks on its outbox row, written by the worker that runs it.

``start`` claims the row for one run (``running``, with a lease of its kind's timeout); a copy
that arrives while another run holds the lease, or after the job is done or dead, is skipped,
so a job handed on twice still runs once at a time. ``done`` records that the actor finished:
for an actor that does its work in one transaction (most of them), inside that transaction,
by the before-commit hook ``done_at_commit`` — the work and its "done" commit together, so no
crash can make the job run again; for one that spans several (a charge: two transactions
around the provider call), in a statement after it returns, and the actor is idempotent, so a
crash between the two costs at most a harmless second run. ``failed`` puts the job back with a
backoff, or marks it dead after ``max_runs`` runs or for an error retrying cannot fix. A
message that does not name an outbox row runs unmarked.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import event, text
from sqlmodel.ext.asyncio.session import AsyncSession

from app.clock import Clock
from app.db import sql
from app.db.engine import BeforeCommit, Database
from app.outbox.policy import JobPolicy

PREFIX = "outbox-"

START = text(sql.load("app.outbox", "start_job"))
DONE = text("UPDATE outbox SET state = 'done', done_at = :now, last_error = NULL WHERE id = :id")
FAILED = text(sql.load("app.outbox", "job_failed"))


@dataclass
class Current:
    """The job a task is running: ``in_transaction`` when its actor does its work in one
    transaction, which then carries the "done" mark; ``commits`` counts its transactions."""

    job: int
    in_transaction: bool
    commits: int = 0
    marked: bool = False


CURRENT: ContextVar[Current | None] = ContextVar("tally_current_job", default=None)


def done_at_commit(clock: Clock) -> BeforeCommit:
    """The before-commit hook of a worker's database: the running job's transaction marks it
    done as it commits its work."""

    async def hook(session: AsyncSession) -> None:
        current = CURRENT.get()
        if current is None:
            return
        marking = current.in_transaction and not current.marked
        if marking:
            connection = await session.connection()
            await connection.execute(DONE, {"id": current.job, "now": clock.now()})

        def committed(_: Any) -> None:  # counted once the commit succeeded (not on a retry)
            current.commits += 1
            current.marked = current.marked or marking

        event.listen(session.sync_session, "after_commit", committed, once=True)

    return hook


def job_id(message_id: str) -> int | None:
    """The outbox row a message names (``"outbox-42"`` → 42), if any."""
    if not message_id.startswith(PREFIX) or not message_id[len(PREFIX) :].isdigit():
        return None
    return int(message_id[len(PREFIX) :])


async def start(db: Database, job: int, kind: str, now: datetime, policy: JobPolicy) -> int | None:
    """Claim the job for a run; its run number, or None when it must not run now."""
    lease_until = now + timedelta(seconds=policy.timeout(kind))
    async with db.engine.begin() as connection:
        found = await connection.execute(START, {"id": job, "now": now, "lease_until": lease_until})
        runs = found.scalar_one_or_none()
    return int(runs) if runs is not None else None


async def done(db: Database, job: int, now: datetime) -> None:
    async with db.engine.begin() as connection:
        await connection.execute(DONE, {"id": job, "now": now})


async def failed(
    db: Database,
    job: int,
    runs: int,
    error: BaseException,
    now: datetime,
    policy: JobPolicy,
    *,
    fatal: bool = False,
) -> str | None:
    """Record a failed run: ``pending`` (run again later) or ``dead``; the state written."""
    described = f"{type(error).__name__}: {error}"[:500]
    parameters = {
        "id": job,
        "now": now,
        "fatal": fatal,
        "max_runs": policy.max_runs,
        "wait": policy.retry_after(runs),
        "error": described,
    }
    async with db.engine.begin() as connection:
        state = (await connection.execute(FAILED, parameters)).scalar_one_or_none()
    return str(state) if state is not None else None
