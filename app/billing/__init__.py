"""Progressive billing: money usage invoiced when it crosses a threshold, and at period end.

    event batch ──(ingest transaction)──▶ subscription_usage (quantities; money rows priced)
                                        ▶ billing_periods.usage_minor += the change
                                        ▶ a crossing?  threshold_crossings + outbox job
    billing.invoice_threshold (crossing) ▶ threshold invoice: usage at the crossing minus what
                                           earlier threshold invoices of the period billed
    billing.close_periods (scheduler)    ▶ billing.invoice_period_end (period): base fee +
                                           the period's usage − threshold invoices
    billing.suspend_overdue (scheduler)  ▶ overdue usage invoice → subscription suspended;
                                           paying (or voiding) it resumes the subscription
    terminateSubscription (mutation)     ▶ the final invoice, at once: the period cut short,
                                           base fee prorated + usage − threshold invoices

Modules: ``thresholds`` (pure levels), ``progressive`` (the hot-path step), ``lines`` (pure
invoice lines), ``invoices`` (threshold and period-end invoices), ``collection`` (paying them:
credits, the payment method on file), ``periods`` (rolling periods), ``termination`` (the
final invoice), ``overdue`` (suspension), ``service`` (thresholds and payment preferences of
subscriptions).
"""
