"""Spend alerts: thresholds per wallet, evaluated in the transaction that moves the balance."""
