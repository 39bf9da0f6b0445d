"""The payment-provider interface: charge an off-session payment method, or look one up;
refund (part of) a charge, or look a refund up.

A provider answers with an ``Outcome``; a decline is an outcome (``failed`` with a reason), not
an exception. Unreachable or misbehaving providers raise ``ProviderError`` and the job retries
with the same idempotency key, which the provider uses to return the charge it already made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Protocol


class OutcomeStatus(StrEnum):
    SUCCEEDED = "succeeded"
    PROCESSING = "processing"  # accepted; ask again later (or wait for the provider's webhook)
    FAILED = "failed"


@dataclass(frozen=True)
class ChargeRequest:
    idempotency_key: str  # derived from our payment id: a retry finds the same charge
    amount_minor: int
    currency: str
    method_reference: str
    provider_customer: str | None
    description: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundRequest:
    idempotency_key: str  # derived from our refund id: a retry finds the same refund
    charge_reference: str  # the provider's id for the charge being refunded
    amount_minor: int
    currency: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    reference: str | None  # the provider's id for the charge
    failure_reason: str | None = None
    check_after: timedelta | None = None  # while processing: when to ask the provider again


class PaymentProvider(Protocol):
    name: str

    async def charge(self, request: ChargeRequest) -> Outcome: ...

    async def retrieve(self, reference: str) -> Outcome: ...

    async def refund(self, request: RefundRequest) -> Outcome:
        """Return (part of) a charge's money; the outcome's reference is the refund's id."""
        ...

    async def retrieve_refund(self, reference: str) -> Outcome: ...

    def check_method(self, reference: str) -> str | None:
        """Why ``reference`` cannot be a payment method of this provider (None if it can)."""
        ...
