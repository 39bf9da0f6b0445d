"""Invoices: what a customer owes, line by line, numbered without gaps when finalized.

Lifecycle: ``draft`` → ``finalized`` (numbered, due after the net terms) → ``paid`` | ``void``;
``payment_status`` says how collecting it went (``pending`` → ``succeeded`` | ``failed``).
Types: ``credit_purchase`` (top-ups and auto-recharges), ``threshold`` and ``period_end``
(progressive billing). What paying or voiding an invoice sets in motion is decided by
``app.flows.settlement``, by type.
"""

from app.invoices.models import PERCENT, Invoice, InvoiceLine, InvoiceStatus, InvoiceType
from app.invoices.numbering import next_number
from app.invoices.repository import get, lines_for, lock
from app.invoices.service import (
    Draft,
    LineInput,
    Terms,
    UsagePeriod,
    create,
    finalize,
    issue,
    line_amount,
    mark_paid,
    payment_failed,
    void,
)

__all__ = [
    "PERCENT",
    "Draft",
    "Invoice",
    "InvoiceLine",
    "InvoiceStatus",
    "InvoiceType",
    "LineInput",
    "Terms",
    "UsagePeriod",
    "create",
    "finalize",
    "get",
    "issue",
    "line_amount",
    "lines_for",
    "lock",
    "mark_paid",
    "next_number",
    "payment_failed",
    "void",
]
