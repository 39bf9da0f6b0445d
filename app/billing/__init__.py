"""Billing: what a subscription owes and when — money usage invoiced when it crosses a usage
threshold, and at the period end; termination, collection, overdue suspension.

    event batch ──(ingest transaction)──▶ subscription_usage (quantities; money rows priced)
                                        ▶ billing_periods.usage_minor += the change
                                        ▶ a crossing?  threshold_crossings + outbox job
    billing.invoice_threshold (crossing) ▶ threshold invoice: usage at the crossing minus what
                                           earlier threshold invoices of the period billed
    billing.close_periods (scheduler)    ▶ billing.invoice_period_end (period): base fee +
                                           the period's usage − threshold invoices
    billing.suspend_overdue (scheduler)  ▶ overdue usage invoice → subscription suspended;
                                           paying (or voiding) it resumes the subscription
    pay-in-advance events ──(ingest)──▶ in_advance_fees + outbox job ▶ billing.invoice_in_advance:
                                           one invoice per batch and subscription period
    terminateSubscription (mutation)     ▶ the final invoice, at once: the period cut short,
                                           base fee prorated + usage − threshold invoices

Modules: ``progressive`` (the hot-path step), ``threshold_changes`` (acting on a change of
usage thresholds; the thresholds themselves are plan terms, ``app.plans.thresholds``),
``in_advance`` (pay-in-advance charges' invoices, one per ingest batch), ``lines`` (pure invoice
lines), ``usage_invoices`` (threshold and period-end invoices, made
with ``app.invoices``), ``collection`` (paying them: credits, the payment method on file),
``period_ends`` (closing periods and rolling subscriptions into the next), ``termination``
(the final invoice), ``plan_switches`` (upgrades now, downgrades at the period's end),
``previews`` (the invoice a period, a switch or a termination would issue, written nowhere),
``overdue`` (suspension), ``service`` (thresholds and payment preferences of subscriptions).
"""

from app.billing.in_advance import invoice_in_advance
from app.billing.in_advance import record as record_in_advance
from app.billing.overdue import on_failed, on_paid, on_voided, suspend_overdue
from app.billing.period_ends import close_due as close_due_periods
from app.billing.plan_switches import is_upgrade, require_live, run_scheduled, switch_now
from app.billing.previews import Preview, preview
from app.billing.progressive import record as record_money_usage
from app.billing.threshold_changes import plan_changed
from app.billing.usage_invoices import invoice_period_end, invoice_threshold

__all__ = [
    "Preview",
    "close_due_periods",
    "invoice_in_advance",
    "invoice_period_end",
    "invoice_threshold",
    "is_upgrade",
    "on_failed",
    "on_paid",
    "on_voided",
    "plan_changed",
    "preview",
    "record_in_advance",
    "record_money_usage",
    "require_live",
    "run_scheduled",
    "suspend_overdue",
    "switch_now",
]
