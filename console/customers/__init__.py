"""Customers: the list (search, create) and a customer's page, which gathers what other
domains offer for them — their wallet, plan, alerts, auto-recharge, invoices, portal link."""
