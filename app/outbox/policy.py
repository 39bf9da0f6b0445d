"""How long each kind of job may take before it is handed on again, and when to give up.

A kind is an actor name (``payments.charge``); a timeout is looked up by the actor name, then
its domain (``payments``), then the default. The same timeout is the lease of a job handed to
the broker but not started (a broker that lost it) and of a job started but not finished (a
worker that died); set it above the longest run of the kind's actor.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from app.config import Settings


@dataclass(frozen=True)
class JobPolicy:
    default_timeout: float = 60.0
    timeouts: dict[str, float] = field(default_factory=dict)
    max_runs: int = 10
    max_retry_seconds: float = 300.0

    @classmethod
    def of(cls, settings: Settings) -> JobPolicy:
        return cls(
            default_timeout=settings.job_timeout_seconds,
            timeouts=dict(settings.job_timeouts),
            max_runs=settings.job_max_runs,
            max_retry_seconds=settings.job_max_retry_seconds,
        )

    def timeout(self, kind: str) -> float:
        found = self.timeouts.get(kind, self.timeouts.get(kind.split(".", 1)[0]))
        return float(found if found is not None else self.default_timeout)

    def retry_after(self, runs: int) -> float:
        """The wait before running a job again after its ``runs``-th run failed."""
        return float(min(self.max_retry_seconds, 2 ** min(runs, 20)))

    def timeouts_json(self) -> str:
        """The per-kind timeouts for SQL (``$n::jsonb ->> kind``)."""
        return orjson.dumps(self.timeouts).decode()
