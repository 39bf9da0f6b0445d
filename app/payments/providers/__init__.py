"""Payment providers by name, built from the settings."""

from __future__ import annotations

from datetime import timedelta

from app.config import Settings
from app.payments.errors import ValidationFailed
from app.payments.providers.base import (
    ChargeRequest,
    Outcome,
    OutcomeStatus,
    PaymentProvider,
    RefundRequest,
)
from app.payments.providers.sandbox import SandboxProvider
from app.payments.providers.stripe import StripeProvider

NAMES = ("sandbox", "stripe")


def build(name: str, settings: Settings, field: str = "provider") -> PaymentProvider:
    if name == "sandbox":
        return SandboxProvider(
            timedelta(seconds=settings.sandbox_late_fail_seconds),
            slow=timedelta(seconds=settings.sandbox_slow_seconds),
            ledger=settings.sandbox_ledger,
        )
    if name == "stripe":
        if settings.stripe_api_key is None:
            raise ValidationFailed(field, "Stripe is not configured (TALLY_STRIPE_API_KEY)")
        return StripeProvider(settings.stripe_api_key.get_secret_value(), settings.stripe_api_base)
    raise ValidationFailed(field, f"unknown payment provider '{name}'; use one of {NAMES}")


__all__ = [
    "NAMES",
    "ChargeRequest",
    "Outcome",
    "OutcomeStatus",
    "PaymentProvider",
    "RefundRequest",
    "build",
]
