"""SQL kept in ``.sql`` files next to the code that sends it: ``<package>/sql/<name>.sql``,
read once, at import, from the package's resources (so it works from a wheel as from a
checkout).

The rule: a statement longer than a few lines, any fragment of one (common table expressions
shared by several statements) and every PL/pgSQL function is a file; a statement of a line or
two stays inline, as a string next to the call that sends it. A file loaded with ``values`` is
a ``str.format`` template: each ``{name}`` is filled in once, at import (such files hold no
other braces). Functions (``tally_*.sql``) are created by migrations, each of which keeps its
own frozen copy (``app/db/migrations/versions/sql``); ``tests/core/test_sql_functions.py``
checks that the database's functions are the files'.
"""

from __future__ import annotations

from importlib.resources import files


def load(package: str, name: str, **values: object) -> str:
    """The text of ``<package>/sql/<name>.sql``, with ``values`` filled in when given."""
    text = files(package).joinpath("sql", f"{name}.sql").read_text(encoding="utf-8")
    return text.format(**values) if values else text
