"""Payments: methods on file, one row per attempt to collect an invoice, and the providers
(the built-in sandbox and Stripe) behind one interface.

A payment is charged by the job ``payments.charge(payment_id)``: it re-reads the row, does
nothing when it is settled, and charges with an idempotency key derived from the payment id,
so a retry after a crash finds the charge the provider already made instead of making another.
"""
