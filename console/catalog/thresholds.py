"""Usage thresholds in a form: the amounts at which money usage is invoiced early, in order,
and an optional step that repeats after the highest ("50, 100, then every 200")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from nicegui import ui

from console import format
from console.catalog.checks import Checks, plain


class ThresholdEditor:
    def __init__(self, thresholds: list[dict[str, Any]], currency: str) -> None:
        fixed = [t["amount"]["amount"] for t in thresholds if not t["recurring"]]
        step = next((t["amount"]["amount"] for t in thresholds if t["recurring"]), None)
        self.amounts = (
            ui.input(
                "Invoice usage early at (amounts, lowest first)",
                value=", ".join(plain(a) for a in fixed),
            )
            .classes("w-full")
            .props("hint='e.g. 50, 100 — leave empty for none'")
        )
        self.step = ui.input("Then again every", value=plain(step)).classes("w-full")
        self.step.props("hint='e.g. 200 — leave empty for no repeating threshold'")
        self.currency = currency

    def read(self, checks: Checks) -> list[dict[str, Any]]:
        """The thresholds' API input; a threshold below the previous one is refused."""
        amounts: list[Decimal] = []
        for part in [p.strip() for p in str(self.amounts.value or "").split(",") if p.strip()]:
            value = positive(part)
            if value is None:
                checks.fail(
                    self.amounts,
                    f"“{part}” is not an amount above zero: type amounts like 50, 100.",
                )
            elif amounts and value <= amounts[-1]:
                checks.fail(
                    self.amounts,
                    f"{plain(value)} is not above {plain(amounts[-1])}, "
                    "the threshold before it: list the amounts from lowest to highest.",
                )
            else:
                amounts.append(value)
        step = checks.number(self.step, "the repeating amount", required=False, above_zero=True)
        items: list[dict[str, Any]] = [{"amount": str(a)} for a in amounts]
        return items + ([{"amount": str(step), "recurring": True}] if step else [])

    def clear(self) -> None:
        self.amounts.error = self.step.error = None


def positive(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except ArithmeticError:
        return None
    return value if value.is_finite() and value > 0 else None


def words(thresholds: list[dict[str, Any]], currency: str) -> str:
    """ "at 50.00 USD and 100.00 USD, then every 200.00 USD", or "none"."""
    fixed = [format.money(t["amount"], currency) for t in thresholds if not t.get("recurring")]
    step = [format.money(t["amount"], currency) for t in thresholds if t.get("recurring")]
    text = "at " + " and ".join(fixed) if fixed else ""
    if step:
        text += (", then " if text else "") + f"every {step[0]}"
    return text or "none"
