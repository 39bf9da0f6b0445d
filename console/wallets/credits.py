"""Grant and void credits by hand: an amount and a reason (the customer sees it in their
history), a confirmation in sentences, and a second one for a grant above ``LARGE_GRANT``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format, forms
from console.api import Api, operation
from console.dialog import Confirmation, Dialog
from console.errors import Inputs

LARGE_GRANT = Decimal(10_000)
ENTRY = (
    "__typename ... on LedgerEntryPayload { wallet { balance } } "
    "... on Error { code message field }"
)
GRANT = operation(f"""
mutation Grant($input: GrantCreditsInput!) {{ grantCredits(input: $input) {{ {ENTRY} }} }}
""")
VOID = operation(f"""
mutation Void($input: VoidCreditsInput!) {{ voidCredits(input: $input) {{ {ENTRY} }} }}
""")
Done = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Target:
    """The wallet a dialog moves credits in."""

    wallet_id: str
    customer_name: str
    currency: str
    rate: Decimal

    def worth(self, credits: Decimal) -> str:
        return format.money(credits * self.rate, self.currency)


class CreditsDialog(Dialog):
    verb = ""

    def __init__(self, api: Api, target: Target, title: str, done: Done) -> None:
        self.target, self.done, self.amount = target, done, Decimal(0)
        super().__init__(api, self.verb, title)

    def ask(self) -> None:
        self.amount_input = ui.input("Credits", placeholder="500").classes("w-full")
        self.amount_input.mark(f"{self.verb}-amount")
        self.reason = ui.input("Reason (the customer sees it in their history)")
        self.reason.classes("w-full").mark(f"{self.verb}-reason")

    def inputs(self) -> Inputs:
        return {"amount": self.amount_input, "reason": self.reason}

    def reset(self) -> None:
        self.amount_input.value = ""
        self.reason.value = ""

    def checked(self) -> bool:
        try:
            self.amount = format.parse_credits(forms.text(self.amount_input))
        except ValueError as error:
            self.amount_input.error = str(error)
        if not forms.text(self.reason):
            self.reason.error = "Say why, in a few words (for example: goodwill, refund)."
        return not any(e.error for e in self.inputs().values())

    def variables(self) -> dict[str, Any]:
        return {
            "input": {
                "walletId": self.target.wallet_id,
                "amount": str(self.amount),
                "idempotencyKey": self.key,
                "reason": forms.text(self.reason),
            }
        }

    def yes(self) -> str:
        return f"Yes, {self.verb} {format.credits(self.amount)}"

    async def report(self, words: str) -> None:
        ui.notify(words, type="positive")
        await self.done()


class GrantDialog(CreditsDialog):
    verb = "grant"
    document = GRANT

    def __init__(self, api: Api, target: Target, done: Done) -> None:
        super().__init__(api, target, f"Grant credits to {target.customer_name}", done)

    def ask(self) -> None:
        super().ask()
        self.expires = ui.input("Expires on (optional)").props("type=date").classes("w-full")
        self.expires.mark("grant-expires")
        ui.label("Leave empty for credits that never expire.").classes("text-caption text-grey-7")

    def inputs(self) -> Inputs:
        return {**super().inputs(), "expiresAt": self.expires}

    def reset(self) -> None:
        super().reset()
        self.expires.value = ""

    def expiry(self) -> datetime | None:
        text = forms.text(self.expires)
        if not text:
            return None
        return datetime.combine(datetime.fromisoformat(text).date(), time.max, tzinfo=UTC)

    def checked(self) -> bool:
        valid = super().checked()
        try:
            self.expiry()
        except ValueError:
            self.expires.error = "Pick a date from the calendar, or leave it empty."
            return False
        return valid

    def confirmations(self) -> list[Confirmation]:
        expiry, amount = self.expiry(), format.credits(self.amount)
        worth = f"{amount} (worth about {self.target.worth(self.amount)})"
        review = Confirmation(
            [
                f"Grant {worth} to {self.target.customer_name}.",
                f"Reason: {forms.text(self.reason)}",
                f"They expire at the end of {format.day(expiry)}."
                if expiry
                else "They never expire.",
            ],
            self.yes(),
        )
        if self.amount <= LARGE_GRANT:
            return [review]
        again = [
            f"This is a large amount: {worth}.",
            "Please check the number once more. Confirm only if it is right.",
        ]
        return [review, Confirmation(again, f"I am sure: grant {amount}")]

    def variables(self) -> dict[str, Any]:
        expiry, variables = self.expiry(), super().variables()
        variables["input"]["expiresAt"] = expiry.isoformat() if expiry else None
        return variables

    async def succeeded(self, payload: dict[str, Any]) -> None:
        amount = format.credits(self.amount)
        await self.report(f"Granted {amount} to {self.target.customer_name}.")


class VoidDialog(CreditsDialog):
    verb = "void"
    document = VOID

    def __init__(self, api: Api, target: Target, done: Done) -> None:
        super().__init__(api, target, f"Remove credits from {target.customer_name}", done)

    def ask(self) -> None:
        super().ask()
        ui.label(
            "Removes unused credits (oldest-to-use first). A balance never goes below zero."
        ).classes("text-caption text-grey-7")

    def confirmations(self) -> list[Confirmation]:
        lines = [
            f"Remove {format.credits(self.amount)} from {self.target.customer_name}.",
            f"Reason: {forms.text(self.reason)}",
            "This cannot be undone (you can grant credits again).",
        ]
        return [Confirmation(lines, self.yes())]

    async def succeeded(self, payload: dict[str, Any]) -> None:
        amount = format.credits(self.amount)
        await self.report(f"Removed {amount} from {self.target.customer_name}.")
