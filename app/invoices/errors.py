"""Invoice errors are the shared domain errors; this module names the ones it raises."""

from app.errors import Conflict, NotFound, ValidationFailed

__all__ = ["Conflict", "NotFound", "ValidationFailed"]
