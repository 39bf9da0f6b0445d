"""Spend alerts: levels per wallet (the API says thresholds), evaluated in the transaction that
moves the balance (the wallet reaction)."""

from app.alerts.service import notify
from app.alerts.wallet_reaction import WALLET_REACTION

__all__ = ["WALLET_REACTION", "notify"]
