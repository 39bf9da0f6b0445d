"""Expected failures of the operators domain (see ``app.errors`` for the tree)."""

from __future__ import annotations

from app.errors import Conflict, Unauthorized


def wrong_credentials() -> Unauthorized:
    # One message for an unknown email, a wrong password and a disabled login, so the answer
    # does not tell which emails exist.
    return Unauthorized(
        "password",
        "That email and password do not match an active operator. Check both and try again.",
        code="wrong_credentials",
    )


def duplicate(email: str) -> Conflict:
    return Conflict("email", f"an operator with the email {email} already exists", code="duplicate")
