"""The console's one dialog: review → confirm → run → report.

*Review*: the inputs (``ask``), checked in the browser first (``checked``). *Confirm*: what will
happen, in sentences (``confirmations``): none, one, or — above a size, like a large grant — a
second one. *Run*: one operation (``document``, ``variables``), sent once however often the
button is clicked (it is disabled while the operation runs, and ``key`` — an idempotency key
made when the dialog opens — makes a resend the same request). *Report*: ``succeeded`` says
what happened; a failure is told by ``console.errors.Say``: a typed error goes back to the
inputs, under the one it names (and the next send is a new request, with a new key), a refusal
stays on the screen with the button enabled again, so trying again sends the same request.

A dialog whose confirmation has nothing to correct (``closes_first``) closes when confirmed and
tells a failure in a notification, or where its page says (``say``).
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from nicegui import ui

from console.api import Api, Problem
from console.errors import NOTIFY, Inputs, Say, on


@dataclass(frozen=True)
class Confirmation:
    """One screen before the operation runs: what will happen, and the button that does it."""

    lines: list[str]
    button: str


class Dialog(ABC):
    """Subclasses say what to ask (``ask``, ``inputs``, ``checked``), what to confirm
    (``confirmations``), what to send (``document``, ``variables``) and what happened
    (``succeeded``)."""

    button = "Review"  # the first button: "Review" when confirmations follow, else the action
    width = "w-[30rem]"
    closes_first = False
    intro = ""  # a caption under the title, on every screen

    def __init__(self, api: Api, marker: str, title: str, button_marker: str = "") -> None:
        self.api, self.key, self.at = api, "", -1
        self.screens: list[Confirmation] = []
        self.dialog = ui.dialog()
        with self.dialog, ui.card().classes(f"{self.width} gap-2"):
            if title:
                ui.label(title).classes("text-h6")
            if self.intro:
                ui.label(self.intro).classes("text-caption text-grey-7")
            self.form = ui.column().classes("w-full gap-2")
            with self.form:
                self.ask()
            self.confirm = ui.column().classes("w-full gap-2")
            self.message = ui.label("").classes("text-negative").mark(f"{marker}-error")
            with ui.row().classes("w-full justify-end"):
                self.cancel = ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.back = ui.button("Back", on_click=self.edit).props("flat no-caps")
                self.next = ui.button("", on_click=self.step).props("unelevated no-caps")
                self.next.mark(button_marker or f"{marker}-next")

    @abstractmethod
    def ask(self) -> None:
        """Build the inputs (and what the dialog says before them)."""

    def inputs(self) -> Inputs:
        """The inputs a typed error's ``field`` may name."""
        return {}

    def checked(self) -> bool:
        """Check the inputs in the browser; put a message under each one that is wrong."""
        return True

    def confirmations(self) -> list[Confirmation]:
        return []

    @property
    @abstractmethod
    def document(self) -> str:
        """The operation to run."""

    @abstractmethod
    def variables(self) -> dict[str, Any]:
        """The operation's variables."""

    @abstractmethod
    async def succeeded(self, payload: dict[str, Any]) -> None:
        """Report what happened (the dialog is closed)."""

    def say(self) -> Say:
        """Where a failure is told: in the dialog, or (closed) in a notification."""
        return NOTIFY if self.closes_first else Say(on(self.message), self.inputs())

    def reset(self) -> None:  # noqa: B027 (most dialogs keep what was typed)
        """Empty the inputs for a new request (the dialog is opening)."""

    def open(self) -> None:
        self.key = f"console-{uuid.uuid4()}"  # one request, however often it is sent
        self.reset()
        self.edit()
        self.dialog.open()

    def edit(self) -> None:
        self.at = -1
        self.message.set_text("")
        self.form.set_visibility(True)
        self.confirm.set_visibility(False)
        self.back.set_visibility(False)
        self.next.set_text(self.button)
        self.next.enable()

    async def step(self) -> None:
        if not self.next.enabled:
            return  # a click that arrived while the operation runs
        if self.at < 0:
            self.message.set_text("")
            self.say().clear()
            if not self.checked():
                return
            self.screens = self.confirmations()
        self.at += 1
        if self.at < len(self.screens):
            self.show(self.screens[self.at])
        else:
            await self.run()

    def show(self, screen: Confirmation) -> None:
        self.form.set_visibility(False)
        self.back.set_visibility(True)
        self.confirm.clear()
        with self.confirm:
            for line in screen.lines:
                ui.label(line).classes("text-body1")
        self.confirm.set_visibility(True)
        self.next.set_text(screen.button)

    async def run(self) -> None:
        self.next.disable()  # a second click waits; the idempotency key covers a resend
        if self.closes_first:
            self.dialog.close()
        result = await self.api.attempt(self.document, self.variables())
        if isinstance(result, dict):
            self.dialog.close()
            await self.succeeded(result)
            return
        if isinstance(result, Problem) and not self.closes_first:
            self.key = f"console-{uuid.uuid4()}"  # a corrected request is a new one
            self.edit()
        self.next.enable()
        self.say().tell(result)
