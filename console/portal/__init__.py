"""The customer portal at /portal/<token>: one customer's live balance and history, credit
bundles to buy and their own alert levels, read and changed through the schema as that customer
(a customer token cannot see anyone else)."""
