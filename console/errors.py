"""Why something did not happen, told where the person is looking: the console's one error
helper.

An operation fails in one of two ways. The schema refuses all of it (``Refused``: a role without
the scope, an unexpected failure), or a mutation — or a query whose result is a union — answers
a typed error (``ValidationError``, ``NotFoundError``, ``ConflictError``,
``InsufficientCreditsError``: a code, a message and the ``field`` at fault). ``Say.tell`` shows
either: a typed error under the input its field names, when the form has one; anything else
where ``Say`` was told to — a line in the dialog or section, a banner, a grey note, a
notification (the default), or nowhere. ``fetch`` and ``mutate`` run an operation and tell why
it failed; a dialog that must know which failure it was uses ``Api.attempt`` and ``Say.tell``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nicegui import ui
from nicegui.elements.mixins.validation_element import ValidationElement

from console import forms
from console.api import Api, Failure, Problem, Refused
from console.layout import error_banner

Inputs = Mapping[str, ValidationElement[Any]]


def notify(message: str) -> None:
    ui.notify(message, type="negative")


def note(message: str) -> None:
    ui.label(message).classes("text-grey-8")


def nowhere(message: str) -> None:
    """For pages a customer sees: a section that cannot load is left out."""


def on(line: ui.label) -> Callable[[str], None]:
    """Show the message on ``line`` (a label in the dialog or section), in red."""

    def show(message: str) -> None:
        line.set_text(message)
        line.classes(add="text-negative", remove="text-positive")

    return show


@dataclass(frozen=True)
class Say:
    """Where to tell why: under ``inputs`` (by the typed error's field), else by ``show``."""

    show: Callable[[str], None] = notify
    inputs: Inputs = field(default_factory=dict)

    def tell(self, failure: Failure) -> None:
        if isinstance(failure, Refused):
            self.show(failure.message)
        elif not forms.show(failure, self.inputs):
            self.show(forms.sentence(failure.message))

    def clear(self) -> None:
        forms.clear(self.inputs)


NOTIFY = Say()
BANNER = Say(error_banner)
NOTE = Say(note)
QUIET = Say(nowhere)


async def fetch(
    api: Api, query: str, variables: dict[str, Any] | None = None, say: Say = BANNER
) -> dict[str, Any] | None:
    """The query's data, or None once ``say`` has told why there is none."""
    try:
        return await api.execute(query, variables)
    except Refused as error:
        say.tell(error)
        return None


async def mutate(
    api: Api, document: str, variables: dict[str, Any] | None = None, say: Say = NOTIFY
) -> dict[str, Any] | None:
    """The payload of the document's one root field, or None once ``say`` has told why."""
    result = await api.attempt(document, variables)
    if isinstance(result, (Refused, Problem)):
        say.tell(result)
        return None
    return result
