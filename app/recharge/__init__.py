"""Buying credits: top-ups (by API, console or portal) and auto-recharge rules.

Every purchase is a ``Recharge`` row: what to grant, the ``credit_purchase`` invoice that
bills it, and its state (``pending`` → ``succeeded`` | ``failed`` | ``skipped``). Credits land
when the invoice is paid (``app.flows.settlement``), or at once when the wallet's top-up option
"grant before payment" is on — then a failed payment takes them back (what is left is voided,
what was already used becomes debt).

Auto-recharge rules start recharges on a trigger: a trigger balance (the wallet reaction,
``RuleTrigger.THRESHOLD`` in the API) or an interval (the scheduler). At most one auto-recharge per
wallet is pending (a partial unique index), a cooldown separates two starts, monthly caps bound
them, and a rule disables itself after ``recharge_max_failures`` consecutive payment failures,
telling the customer and operators.

Refunds (``refunds.py``): a credit note on a paid purchase voids its unused credits and
returns their money through the provider (``refund_sending.py``, the ``payments.refund`` job).
"""

from app.recharge.auto import run_intervals, start
from app.recharge.purchases import on_failed, on_paid, on_voided
from app.recharge.refund_models import Refund, RefundStatus
from app.recharge.refund_sending import begin_sending as begin_refund
from app.recharge.refund_sending import record_outcome as record_refund_outcome
from app.recharge.refunds import RefundInput, refund_credits
from app.recharge.sweep import sweep as fail_stale
from app.recharge.wallet_reaction import WALLET_REACTION

__all__ = [
    "WALLET_REACTION",
    "Refund",
    "RefundInput",
    "RefundStatus",
    "begin_refund",
    "fail_stale",
    "on_failed",
    "on_paid",
    "on_voided",
    "record_refund_outcome",
    "refund_credits",
    "run_intervals",
    "start",
]
