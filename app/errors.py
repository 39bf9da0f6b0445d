"""Expected failures of the domain, each naming the input field it is about.

    DomainError                 code, field, message
    ├── ValidationFailed        the input is malformed or out of range
    ├── NotFound                an id or external id matches nothing
    ├── Conflict                duplicates, and an idempotency key reused for another request
    ├── InsufficientCredits     a void larger than what remains
    └── Unauthorized            a missing, unknown, revoked or under-scoped credential

The API layer maps each to a typed result; anything else is unexpected, masked and logged.
"""

from __future__ import annotations


class DomainError(Exception):
    code = "error"

    def __init__(self, field: str | None, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        if code is not None:
            self.code = code


class ValidationFailed(DomainError):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class InsufficientCredits(DomainError):
    code = "insufficient_credits"


class Unauthorized(DomainError):
    code = "unauthorized"


def check_length(value: str, field: str, maximum: int, *, required: bool = True) -> str:
    """Strip a text input and check it is present (when required) and not overlong."""
    text = value.strip()
    if required and not text:
        raise ValidationFailed(field, "must not be empty", code="required")
    if len(text) > maximum:
        raise ValidationFailed(field, f"must be at most {maximum} characters", code="too_long")
    return text
