"""The transactional outbox: jobs and live messages leave only after their data commits.

A service calls ``enqueue`` (a Dramatiq job) or ``publish`` (a live message for subscribers)
in the same transaction as the data it changed. The insert fires ``NOTIFY tally_outbox``,
which PostgreSQL delivers only on commit; the relay (``app.outbox.relay``) then claims the rows
with ``FOR UPDATE SKIP LOCKED`` and hands them on. A rollback sends nothing; a broker that is
down leaves the rows waiting. A job's row stays open until the worker that ran it says it is
done (``app.outbox.lifecycle``): one the broker lost, or whose worker died, is handed on again
when its lease runs out, and one that keeps failing ends ``dead`` (``OutboxState``). Delivery
is at least once and a run claims its row, so every job runs once in effect.
"""

from app.outbox.service import enqueue, publish, publish_many

__all__ = ["enqueue", "publish", "publish_many"]
