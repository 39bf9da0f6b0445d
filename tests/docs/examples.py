"""The examples of docs/frontend.md, read from the file itself: a test that sends them sends
what a reader copies."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parents[2] / "docs" / "frontend.md"


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), re.S)


def curl_events() -> Any:
    """The JSON body of the curl example (its -d '…')."""
    curl = next(b for b in blocks("sh") if "/v1/events" in b)
    body = re.search(r"-d '(.*?)'", curl, re.S)
    assert body is not None
    return json.loads(body.group(1))


def js_documents() -> dict[str, str]:
    """The GraphQL documents of the JavaScript examples, by constant name."""
    found: dict[str, str] = {}
    for block in blocks("js"):
        for name, document in re.findall(r"const (\w+) = `(.*?)`;", block, re.S):
            found[name] = document
    return found


def graphql_documents() -> list[str]:
    return blocks("graphql")
