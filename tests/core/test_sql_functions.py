"""The database's functions are the current ``.sql`` files, and the migrations that created
them are frozen.

The test database was built by the migration chain at the start of the session, each migration
creating the functions from its own frozen copy (``app/db/migrations/versions/sql``). Running
the current files (``app/**/sql/tally_*.sql``) over it, in a transaction that is rolled back,
must change nothing: same functions, same definitions (``pg_get_functiondef``), none without
a file and no file without its function.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import asyncpg

import app
from app.db.engine import plain_url

ROOT = Path(app.__file__).parent
FILES = sorted(ROOT.glob("**/sql/tally_*.sql"))
FROZEN = ROOT / "db" / "migrations" / "versions" / "sql"
CREATES = re.compile(r"CREATE OR REPLACE FUNCTION (tally_\w+)\(")

DEFINITIONS = """
SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS signature,
       pg_get_functiondef(p.oid) AS definition
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND p.proname LIKE 'tally\\_%'
"""

# A migration that ran must never change: its frozen copies are pinned here. A change to a
# function is a new migration with a new frozen copy (and the current file changed with it).
PINNED = {
    "0001_tally_debit.sql": "85471e7f9ee8b71e",
    "0001_tally_expire.sql": "ce82785da387a656",
    "0002_tally_debit.sql": "34622f3e0b230929",
    "0002_tally_debit_many.sql": "80a40940c40aa925",
    "0002_tally_draw.sql": "6e8bec09c198b911",
    "0008_tally_debit_many.sql": "547c0335178e4aea",
    "0008_tally_draw_many.sql": "db544838beddc65b",
    "0012_tally_outbox_write.sql": "b8b454d8e82dcc73",
    "0015_tally_expire.sql": "f6cf565995e02d75",
    "0015_tally_rollover.sql": "c254957d7bd3511f",
}


async def _definitions(connection: asyncpg.Connection) -> dict[str, str]:
    return {r["signature"]: r["definition"] for r in await connection.fetch(DEFINITIONS)}


async def test_the_migrated_functions_are_the_current_files(database_url: str) -> None:
    connection = await asyncpg.connect(plain_url(database_url))
    try:
        transaction = connection.transaction()
        await transaction.start()
        try:
            migrated = await _definitions(connection)
            for path in FILES:
                await connection.execute(path.read_text())
            current = await _definitions(connection)
        finally:
            await transaction.rollback()
    finally:
        await connection.close()
    assert sorted(current) == sorted(migrated), "a file creates a function no migration made"
    for signature, definition in migrated.items():
        assert current[signature] == definition, f"{signature} differs from its file"
    named = {m.group(1) for path in FILES for m in CREATES.finditer(path.read_text())}
    assert named == {signature.split("(")[0] for signature in migrated}
    assert all(path.stem in named for path in FILES), "one function per file, named after it"


def test_frozen_copies_never_change() -> None:
    found = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        for path in sorted(FROZEN.glob("*.sql"))
    }
    assert found == PINNED
