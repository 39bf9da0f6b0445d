"""Payment errors: the shared domain errors, and what a provider failure looks like.

ProviderError        the provider could not be reached or answered unexpectedly: the job
                     retries (a decline is not an error: it is a failed outcome)
"""

from app.errors import Conflict, NotFound, ValidationFailed


class ProviderError(Exception):
    """A transient provider failure; the charge is retried with the same idempotency key."""


__all__ = ["Conflict", "NotFound", "ProviderError", "ValidationFailed"]
