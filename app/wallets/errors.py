"""Wallet errors are the shared domain errors; this module names the ones wallets raise."""

from app.errors import Conflict, InsufficientCredits, NotFound, ValidationFailed

__all__ = ["Conflict", "InsufficientCredits", "NotFound", "ValidationFailed"]
