"""``/ready``: can this process serve, and is the work behind it moving?

* ``unavailable`` (HTTP 503): the database does not answer or is not migrated. A load
  balancer takes the process out; nothing it could answer would be right.
* ``degraded`` (HTTP 200): the broker (Redis, scaled mode) does not answer, or the oldest
  pending job is older than ``TALLY_READY_BACKLOG_SECONDS``. The process still serves: every
  request still commits its work, and the jobs wait in the outbox until the broker is back.
  Every API process shares the one broker, so a 503 here would take them all out of the load
  balancer at once and turn delayed jobs into refused requests; ``status`` and ``/metrics``
  are what alerting reads.
* ``ready`` (HTTP 200) otherwise.

The body says why: ``database``, ``broker`` (``ok``, ``in-process`` or ``unreachable: …``) and
``jobs`` (open rows, the oldest one's age, dead rows).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import text

from app.outbox import backlog
from app.runtime import Runtime


async def check(runtime: Runtime) -> tuple[int, dict[str, Any]]:
    """The status code and body of ``/ready``."""
    try:
        async with asyncio.timeout(2):
            async with runtime.db.engine.connect() as connection:
                await connection.execute(text("SELECT 1 FROM alembic_version"))
            kinds = await backlog.read(runtime.db, runtime.clock.now())
    except Exception as error:  # noqa: BLE001 - readiness reports any failure
        return 503, {"status": "unavailable", "database": str(error)[:200] or repr(error)}
    jobs = backlog.summary(kinds)
    broker = await _broker(runtime.settings.redis_url)
    late = jobs["oldest_pending_seconds"] > runtime.settings.ready_backlog_seconds
    status = "degraded" if late or broker.startswith("unreachable") else "ready"
    return 200, {"status": status, "database": "ok", "broker": broker, "jobs": jobs}


async def _broker(redis_url: str | None) -> str:
    if not redis_url:
        return "in-process"
    import redis.asyncio as redis

    try:
        async with asyncio.timeout(1):
            async with redis.Redis.from_url(
                redis_url, socket_timeout=1, socket_connect_timeout=1
            ) as client:
                await client.ping()
    except Exception as error:  # noqa: BLE001 - any failure means the broker is not usable
        return f"unreachable: {type(error).__name__}: {error}"[:200]
    return "ok"
