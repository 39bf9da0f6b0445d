"""Plan errors are the shared domain errors; this module names the ones plans raise."""

from app.errors import Conflict, NotFound, ValidationFailed

__all__ = ["Conflict", "NotFound", "ValidationFailed"]
