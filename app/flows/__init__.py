"""Flows: the use cases that drive several domains in one transaction.

``ingest`` (usage events: plans' prices, period usage, wallet debits, progressive billing),
``settlement`` (a payment's outcome: payments, invoices, and the invoice type's domain —
recharge or billing), ``rollover_periods`` (a wallet's rollover policy on its
subscription's periods), ``balance_reactions`` (before commit: every domain's wallet reaction
in one statement). A flow uses the domains' public surfaces; no domain imports a flow.
"""
