"""When each job starts, for tracing a job to the outbox row (and commit) that asked for it.

Logs ``job.start actor=<name> message=<outbox-id> at=<unix seconds>`` at INFO on the
``tally.jobs`` logger (``bench/reactions`` reads these lines).
"""

from __future__ import annotations

import logging
import time
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware

log = logging.getLogger("tally.jobs")


class JobTimings(Middleware):
    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        log.info(
            "job.start actor=%s message=%s at=%.6f",
            message.actor_name,
            message.message_id,
            time.time(),
        )
