"""The review step of an edit: what will change, one line per field ("Name: Reports →
Report runs"), or a line saying nothing will."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NOTHING = "Nothing changes: every field is as it was."


def shown(value: Any) -> str:
    if value is None or value == "":
        return "(empty)"
    return str(value)


def changes(
    labels: Mapping[str, str], before: Mapping[str, Any], after: Mapping[str, Any]
) -> list[str]:
    lines = [
        f"{label}: {shown(before.get(key))} → {shown(after.get(key))}"
        for key, label in labels.items()
        if key in after and shown(before.get(key)) != shown(after.get(key))
    ]
    return lines or [NOTHING]


def changed_only(
    fields: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any]
) -> dict[str, Any]:
    """The ``fields`` (key → value to send) whose shown value differs between ``before`` and
    ``after``: an edit sends what changed, so the audit line says only that."""
    return {k: v for k, v in fields.items() if shown(before.get(k)) != shown(after.get(k))}
