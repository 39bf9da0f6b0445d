"""Dialogs that move credits: grant and void. Each asks for a reason, shows what will happen
and asks to confirm; a grant over ``LARGE_GRANT`` credits asks a second time. The grant's
idempotency key is made when the dialog opens, so a double click grants once."""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Caller, Console, Refused, problem

LARGE_GRANT = Decimal(10_000)
ENTRY = (
    "__typename ... on LedgerEntryPayload { wallet { balance } } "
    "... on Error { code message field }"
)
GRANT = f"""
mutation Grant($input: GrantCreditsInput!) {{ grantCredits(input: $input) {{ {ENTRY} }} }}
"""
VOID = f"""
mutation Void($input: VoidCreditsInput!) {{ voidCredits(input: $input) {{ {ENTRY} }} }}
"""


@dataclass(frozen=True)
class Target:
    wallet_id: str
    customer_name: str
    currency: str
    rate: Decimal


Done = Callable[[], Awaitable[None]]


class MoneyDialog(ABC):
    """Form → confirmation (→ second confirmation) → one mutation."""

    verb = ""
    mutation = ""
    field = ""

    def __init__(self, console: Console, caller: Caller, target: Target, done: Done) -> None:
        self.console, self.caller, self.target, self.done = console, caller, target, done
        self.key = ""
        self.amount = Decimal(0)
        self.dialog = ui.dialog()
        with self.dialog, ui.card().classes("w-[30rem] gap-2"):
            self.title = ui.label("").classes("text-h6")
            self.form = ui.column().classes("w-full gap-2")
            with self.form:
                self.amount_input = ui.input("Credits", placeholder="500").classes("w-full")
                self.amount_input.mark(f"{self.verb}-amount")
                self.reason = ui.input("Reason (the customer sees it in their history)").classes(
                    "w-full"
                )
                self.reason.mark(f"{self.verb}-reason")
                self.extra()
            self.confirm = ui.column().classes("w-full gap-2")
            self.message = ui.label("").classes("text-negative").mark(f"{self.verb}-error")
            with ui.row().classes("w-full justify-end"):
                ui.button("Cancel", on_click=self.dialog.close).props("flat no-caps")
                self.back = ui.button("Back", on_click=self.edit).props("flat no-caps")
                self.next = ui.button("", on_click=self.step).props("unelevated no-caps")
                self.next.mark(f"{self.verb}-next")

    @abstractmethod
    def extra(self) -> None:
        """The title, and more inputs of the form."""

    def fields(self) -> dict[str, Any]:
        return {"amount": self.amount_input, "reason": self.reason}

    def open(self) -> None:
        self.key = f"console-{uuid.uuid4()}"  # one request, however often it is sent
        self.amount_input.value = ""
        self.reason.value = ""
        self.edit()
        self.dialog.open()

    def edit(self) -> None:
        self.stage = "form"
        self.message.set_text("")
        self.form.set_visibility(True)
        self.confirm.set_visibility(False)
        self.back.set_visibility(False)
        self.next.set_text("Review")
        self.next.enable()

    def validate(self) -> bool:
        forms.clear(self.fields())
        try:
            self.amount = format.parse_credits(forms.text(self.amount_input))
        except ValueError as error:
            self.amount_input.error = str(error)
        if not forms.text(self.reason):
            self.reason.error = "Say why, in a few words (for example: goodwill, refund)."
        return not any(e.error for e in self.fields().values())

    @abstractmethod
    def summary(self) -> list[str]:
        """What will happen, in sentences, for the confirmation."""

    def show_confirmation(self, lines: list[str], button: str) -> None:
        self.form.set_visibility(False)
        self.back.set_visibility(True)
        self.confirm.clear()
        with self.confirm:
            for line in lines:
                ui.label(line).classes("text-body1")
        self.confirm.set_visibility(True)
        self.next.set_text(button)

    async def step(self) -> None:
        if self.stage == "form":
            if self.validate():
                self.stage = "confirm"
                self.show_confirmation(self.summary(), f"Yes, {self.verb} {self.short()}")
            return
        if self.stage == "confirm" and self.needs_second_confirmation():
            self.stage = "confirm-large"
            value = format.money(self.amount * self.target.rate, self.target.currency)
            self.show_confirmation(
                [
                    f"This is a large amount: {format.credits(self.amount)} (worth about {value}).",
                    "Please check the number once more. Confirm only if it is right.",
                ],
                f"I am sure: {self.verb} {self.short()}",
            )
            return
        await self.send()

    def short(self) -> str:
        return format.credits(self.amount)

    def needs_second_confirmation(self) -> bool:
        return False

    @abstractmethod
    def variables(self) -> dict[str, Any]:
        """The mutation's variables."""

    async def send(self) -> None:
        self.next.disable()  # a second click waits; the idempotency key covers a resend
        try:
            data = await self.console.execute(self.caller, self.mutation, self.variables())
        except Refused as error:
            self.message.set_text(error.message)
            self.next.enable()
            return
        failed = problem(data[self.field])
        if failed is not None:
            self.edit()
            if not forms.show(failed, self.fields()):
                self.message.set_text(forms.sentence(failed.message))
            return
        self.dialog.close()
        ui.notify(self.done_message(), type="positive")
        await self.done()

    @abstractmethod
    def done_message(self) -> str:
        """What happened, for the notification."""


class GrantDialog(MoneyDialog):
    verb = "grant"
    mutation = GRANT
    field = "grantCredits"

    def extra(self) -> None:
        self.title.set_text(f"Grant credits to {self.target.customer_name}")
        self.expires = ui.input("Expires on (optional)").props("type=date").classes("w-full")
        self.expires.mark("grant-expires")
        ui.label("Leave empty for credits that never expire.").classes("text-caption text-grey-7")

    def fields(self) -> dict[str, Any]:
        return {**super().fields(), "expiresAt": self.expires}

    def open(self) -> None:
        self.expires.value = ""
        super().open()

    def expiry(self) -> datetime | None:
        text = (self.expires.value or "").strip()
        if not text:
            return None
        return datetime.combine(datetime.fromisoformat(text).date(), time.max, tzinfo=UTC)

    def validate(self) -> bool:
        valid = super().validate()
        try:
            self.expiry()
        except ValueError:
            self.expires.error = "Pick a date from the calendar, or leave it empty."
            return False
        return valid

    def summary(self) -> list[str]:
        value = format.money(self.amount * self.target.rate, self.target.currency)
        expiry = self.expiry()
        lines = [
            f"Grant {format.credits(self.amount)} (worth about {value}) to "
            f"{self.target.customer_name}.",
            f"Reason: {forms.text(self.reason)}",
            f"They expire at the end of {format.day(expiry)}." if expiry else "They never expire.",
        ]
        return lines

    def needs_second_confirmation(self) -> bool:
        return self.amount > LARGE_GRANT

    def variables(self) -> dict[str, Any]:
        expiry = self.expiry()
        return {
            "input": {
                "walletId": self.target.wallet_id,
                "amount": str(self.amount),
                "idempotencyKey": self.key,
                "reason": forms.text(self.reason),
                "expiresAt": expiry.isoformat() if expiry else None,
            }
        }

    def done_message(self) -> str:
        return f"Granted {format.credits(self.amount)} to {self.target.customer_name}."


class VoidDialog(MoneyDialog):
    verb = "void"
    mutation = VOID
    field = "voidCredits"

    def extra(self) -> None:
        self.title.set_text(f"Remove credits from {self.target.customer_name}")
        ui.label(
            "Removes unused credits (oldest-to-use first). A balance never goes below zero."
        ).classes("text-caption text-grey-7")

    def summary(self) -> list[str]:
        return [
            f"Remove {format.credits(self.amount)} from {self.target.customer_name}.",
            f"Reason: {forms.text(self.reason)}",
            "This cannot be undone (you can grant credits again).",
        ]

    def variables(self) -> dict[str, Any]:
        return {
            "input": {
                "walletId": self.target.wallet_id,
                "amount": str(self.amount),
                "idempotencyKey": self.key,
                "reason": forms.text(self.reason),
            }
        }

    def done_message(self) -> str:
        return f"Removed {format.credits(self.amount)} from {self.target.customer_name}."


Act = Callable[[str], Awaitable[None]]


def confirm(
    title: str,
    lines: list[str],
    button: str,
    marker: str,
    act: Act,
    *,
    reason: str | None = None,
) -> None:
    """Ask once, in plain words, then ``act`` (given the reason typed, or "" when the dialog
    asks none). Cancel does nothing."""
    with ui.dialog() as dialog, ui.card().classes("w-[30rem] gap-2"):
        ui.label(title).classes("text-h6")
        for line in lines:
            ui.label(line).classes("text-body1")
        given = ui.input(reason).classes("w-full").mark(f"{marker}-reason") if reason else None
        with ui.row().classes("w-full justify-end"):
            ui.button("Cancel", on_click=dialog.close).props("flat no-caps")

            async def go() -> None:
                text = forms.text(given) if given is not None else ""
                if given is not None and not text:
                    given.error = "Say why, in a few words (for example: ordered by mistake)."
                    return
                dialog.close()
                await act(text)

            ui.button(button, on_click=go).props("unelevated no-caps").mark(f"confirm-{marker}")
    dialog.open()
