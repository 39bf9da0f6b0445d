"""Payments: methods on file, one row per attempt to collect an invoice, and the providers
(the built-in sandbox and Stripe) behind one interface.

A payment is charged by the job ``payments.charge(payment_id)``: it re-reads the row, does
nothing when it is settled, and charges with an idempotency key derived from the payment id,
so a retry after a crash finds the charge the provider already made instead of making another.
"""

from app.payments.methods import resolve as resolve_method
from app.payments.models import FINISHED, Payment, PaymentStatus
from app.payments.providers import Outcome, OutcomeStatus, RefundRequest
from app.payments.providers import build as build_provider
from app.payments.providers.stripe import outcome as stripe_outcome
from app.payments.repository import for_invoices, lock, methods_of
from app.payments.service import apply_outcome, begin_attempt, cancel_unsent, open_payment, sweep

__all__ = [
    "FINISHED",
    "Outcome",
    "OutcomeStatus",
    "Payment",
    "PaymentStatus",
    "RefundRequest",
    "apply_outcome",
    "begin_attempt",
    "build_provider",
    "cancel_unsent",
    "for_invoices",
    "lock",
    "methods_of",
    "open_payment",
    "resolve_method",
    "stripe_outcome",
    "sweep",
]
