"""The transactional outbox: jobs and live messages leave only after their data commits.

A service calls ``enqueue`` (a Dramatiq job) or ``publish`` (a live message for subscribers)
in the same transaction as the data it changed. The insert fires ``NOTIFY tally_outbox``,
which PostgreSQL delivers only on commit; the relay (``app.outbox.relay``) then claims the rows
with ``FOR UPDATE SKIP LOCKED``, hands them on and marks them dispatched. A rollback sends
nothing; a broker that is down leaves the rows waiting; a periodic sweep re-sends what a crash
left behind. Delivery is at least once, so every job is idempotent.
"""

from app.outbox.service import enqueue, publish, publish_many

__all__ = ["enqueue", "publish", "publish_many"]
