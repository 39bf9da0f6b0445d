"""The built-in sandbox provider (the default): deterministic test payment methods.

    pm_sandbox_ok         succeeds at once
    pm_sandbox_decline    is declined at once
    pm_sandbox_late_fail  is accepted (processing), then fails when asked again
                          ``late_fail_after`` later (the charge job schedules that question)

The charge reference is derived from the idempotency key, so charging twice with one key
answers with the same charge — as a real provider would.
"""

from __future__ import annotations

from datetime import timedelta

from app.payments.providers.base import ChargeRequest, Outcome, OutcomeStatus

OK = "pm_sandbox_ok"
DECLINE = "pm_sandbox_decline"
LATE_FAIL = "pm_sandbox_late_fail"
METHODS = {OK: "ok", DECLINE: "decline", LATE_FAIL: "late_fail"}
DECLINED = "card_declined: the sandbox declines this payment method"
LATE_DECLINED = "card_declined: the sandbox failed this payment after accepting it"


class SandboxProvider:
    name = "sandbox"

    def __init__(self, late_fail_after: timedelta = timedelta(seconds=5)) -> None:
        self.late_fail_after = late_fail_after

    def check_method(self, reference: str) -> str | None:
        if reference in METHODS:
            return None
        return f"unknown sandbox payment method; use one of {', '.join(METHODS)}"

    async def charge(self, request: ChargeRequest) -> Outcome:
        kind = METHODS.get(request.method_reference)
        if kind is None:
            return Outcome(OutcomeStatus.FAILED, None, "unknown sandbox payment method")
        return self._outcome(f"sbx_{kind}_{request.idempotency_key}")

    async def retrieve(self, reference: str) -> Outcome:
        if reference.startswith("sbx_late_fail_"):
            return Outcome(OutcomeStatus.FAILED, reference, LATE_DECLINED)
        return self._outcome(reference)

    def _outcome(self, reference: str) -> Outcome:
        if reference.startswith("sbx_ok_"):
            return Outcome(OutcomeStatus.SUCCEEDED, reference)
        if reference.startswith("sbx_late_fail_"):
            return Outcome(OutcomeStatus.PROCESSING, reference, check_after=self.late_fail_after)
        return Outcome(OutcomeStatus.FAILED, reference, DECLINED)
