"""Signed webhooks: endpoints, events, deliveries with retries, and manual replay."""

from app.webhooks.service import deliver, emit
from app.webhooks.wallet_reaction import WALLET_REACTION
from app.webhooks.wallet_reaction import announce as announce_wallets

__all__ = ["WALLET_REACTION", "announce_wallets", "deliver", "emit"]
