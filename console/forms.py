"""Helpers for forms: typed GraphQL errors shown next to the field they name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nicegui.elements.mixins.validation_element import ValidationElement

from console.api import Problem

# What to do next, after the schema's message, by error code.
NEXT_STEP = {
    "insufficient_credits": " Enter a smaller amount.",
    "duplicate": " Choose another.",
}


def clear(fields: Mapping[str, ValidationElement[Any]]) -> None:
    for element in fields.values():
        element.error = None


def show(problem: Problem, fields: Mapping[str, ValidationElement[Any]]) -> bool:
    """Put the message under the input it names; False when no input matches (show it
    elsewhere)."""
    name = (problem.field or "").split(".")[-1]
    element = fields.get(name)
    if element is None:
        return False
    element.error = sentence(problem.message) + NEXT_STEP.get(problem.code, "")
    return True


def sentence(message: str) -> str:
    text = message.strip()
    text = text[0].upper() + text[1:] if text else text
    return text if text.endswith((".", "!", "?")) else text + "."


def text(element: Any) -> str:
    """An input's text, stripped ("" when it was cleared)."""
    return str(element.value or "").strip()
