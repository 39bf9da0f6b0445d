"""Checking a form in the browser, in words a non-technical person understands: each message
goes under the input it is about, and the form is sent only when every check passed."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from console import forms


class Checks:
    """Collects messages under inputs; ``ok`` is False once one failed."""

    def __init__(self) -> None:
        self.ok = True

    def fail(self, element: Any, message: str) -> None:
        if not element.error:  # the first problem of an input is the one shown
            element.error = message
        self.ok = False

    def text(self, element: Any, message: str) -> str:
        value = forms.text(element)
        if not value:
            self.fail(element, message)
        return value

    def number(
        self, element: Any, what: str, *, required: bool = True, above_zero: bool = False
    ) -> Decimal | None:
        """A number typed in ``element`` (None when empty and not required, or wrong)."""
        raw = forms.text(element).replace(",", "")
        if not raw:
            if required:
                self.fail(element, f"Enter {what}.")
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            self.fail(element, f"{what[0].upper()}{what[1:]} must be a number, like 10 or 0.5.")
            return None
        if not value.is_finite() or value < 0:
            self.fail(element, f"{what[0].upper()}{what[1:]} cannot be negative.")
            return None
        if above_zero and value == 0:
            self.fail(element, f"{what[0].upper()}{what[1:]} must be more than zero.")
            return None
        return value


def plain(value: Decimal | str | None) -> str:
    """A number as typed back into an input: "0.500000" → "0.5"; None → ""."""
    if value is None:
        return ""
    number = Decimal(str(value))
    if number == number.to_integral_value():
        return str(number.quantize(Decimal(1)))
    return f"{number.normalize():f}"
