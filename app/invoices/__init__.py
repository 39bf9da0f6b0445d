"""Invoices: what a customer owes, line by line, numbered without gaps when finalized.

Lifecycle: ``draft`` → ``finalized`` (numbered, due after the net terms) → ``paid`` | ``void``;
``payment_status`` says how collecting it went (``pending`` → ``succeeded`` | ``failed``).
Types: ``credit_purchase`` (top-ups and auto-recharges), ``threshold`` and ``period_end``
(progressive billing). What paying or voiding an invoice sets in motion is decided by
``app.flows.settlement``, by type.
"""
