"""Spend alerts: levels per wallet (the API says thresholds), evaluated in the transaction that
moves the balance (the wallet reaction); runway alerts and expiry notices, by the scheduler's
sweeps."""

from app.alerts import expiry_notices, runway_alerts
from app.alerts.service import notify
from app.alerts.wallet_reaction import WALLET_REACTION

__all__ = ["WALLET_REACTION", "expiry_notices", "notify", "runway_alerts"]
