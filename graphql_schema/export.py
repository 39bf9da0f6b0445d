"""Write the schema as SDL to ``schema.graphql`` (``--check``: fail if the file has drifted)."""

from __future__ import annotations

import sys
from pathlib import Path

from graphql_schema.schema import sdl

TARGET = Path(__file__).resolve().parent.parent / "schema.graphql"


def main(argv: list[str]) -> int:
    current = sdl()
    if "--check" in argv:
        if not TARGET.exists() or TARGET.read_text() != current:
            print("schema.graphql is out of date: run `python -m graphql_schema.export`")
            return 1
        return 0
    TARGET.write_text(current)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
