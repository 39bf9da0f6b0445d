"""The built-in sandbox provider (the default): deterministic test payment methods.

    pm_sandbox_ok         succeeds at once
    pm_sandbox_decline    is declined at once
    pm_sandbox_late_fail  is accepted (processing), then fails when asked again
                          ``late_fail_after`` later (the charge job schedules that question)
    pm_sandbox_slow       succeeds after ``slow`` (``TALLY_SANDBOX_SLOW_SECONDS``): a charge
                          long enough to stop a worker in the middle of it

A refund of a charge it made succeeds (reference ``sbx_refund_<key>``); of a charge it did not
make (a reference that is not a sandbox charge, or one that failed) it fails.

The charge reference is derived from the idempotency key, so charging twice with one key
answers with the same charge — as a real provider would. With a ``ledger`` file
(``TALLY_SANDBOX_LEDGER``) every charge request is appended to it as a JSON line (key, amount,
currency, reference), as a provider's dashboard lists them: the fault tests count the charges
there.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path

import orjson

from app.payments.providers.base import ChargeRequest, Outcome, OutcomeStatus, RefundRequest

OK = "pm_sandbox_ok"
DECLINE = "pm_sandbox_decline"
LATE_FAIL = "pm_sandbox_late_fail"
SLOW = "pm_sandbox_slow"
METHODS = {OK: "ok", DECLINE: "decline", LATE_FAIL: "late_fail", SLOW: "slow"}
DECLINED = "card_declined: the sandbox declines this payment method"
NOT_REFUNDABLE = "charge_not_refundable: the sandbox made no successful charge with this reference"
LATE_DECLINED = "card_declined: the sandbox failed this payment after accepting it"


class SandboxProvider:
    name = "sandbox"

    def __init__(
        self,
        late_fail_after: timedelta = timedelta(seconds=5),
        *,
        slow: timedelta = timedelta(seconds=2),
        ledger: Path | None = None,
    ) -> None:
        self.late_fail_after = late_fail_after
        self.slow = slow
        self.ledger = ledger

    def check_method(self, reference: str) -> str | None:
        if reference in METHODS:
            return None
        return f"unknown sandbox payment method; use one of {', '.join(METHODS)}"

    async def charge(self, request: ChargeRequest) -> Outcome:
        kind = METHODS.get(request.method_reference)
        if kind is None:
            return Outcome(OutcomeStatus.FAILED, None, "unknown sandbox payment method")
        reference = f"sbx_{kind}_{request.idempotency_key}"
        if self.ledger is not None:  # the request reached the provider
            self._record(request, reference)
        if kind == "slow":
            await asyncio.sleep(self.slow.total_seconds())
        return self._outcome(reference)

    async def refund(self, request: RefundRequest) -> Outcome:
        reference = f"sbx_refund_{request.idempotency_key}"
        if self.ledger is not None:
            self._record(request, reference)
        if not request.charge_reference.startswith(("sbx_ok_", "sbx_slow_")):
            return Outcome(OutcomeStatus.FAILED, reference, NOT_REFUNDABLE)
        return Outcome(OutcomeStatus.SUCCEEDED, reference)

    async def retrieve_refund(self, reference: str) -> Outcome:
        return Outcome(OutcomeStatus.SUCCEEDED, reference)

    def _record(self, request: ChargeRequest | RefundRequest, reference: str) -> None:
        line = orjson.dumps(
            {
                "key": request.idempotency_key,
                "amount_minor": request.amount_minor,
                "currency": request.currency,
                "reference": reference,
            }
        )
        assert self.ledger is not None
        # One write of one short line with O_APPEND: whole lines, whichever process writes.
        descriptor = os.open(self.ledger, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(descriptor, line + b"\n")
        finally:
            os.close(descriptor)

    async def retrieve(self, reference: str) -> Outcome:
        if reference.startswith("sbx_late_fail_"):
            return Outcome(OutcomeStatus.FAILED, reference, LATE_DECLINED)
        return self._outcome(reference)

    def _outcome(self, reference: str) -> Outcome:
        if reference.startswith(("sbx_ok_", "sbx_slow_")):
            return Outcome(OutcomeStatus.SUCCEEDED, reference)
        if reference.startswith("sbx_late_fail_"):
            return Outcome(OutcomeStatus.PROCESSING, reference, check_after=self.late_fail_after)
        return Outcome(OutcomeStatus.FAILED, reference, DECLINED)
