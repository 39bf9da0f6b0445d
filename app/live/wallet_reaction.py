"""The live channel's part of the balance reactions: every changed wallet's ``wallet.updated``
message (``app.live.wallets.MESSAGES``), built by PostgreSQL and written to the outbox in one
row (``tally_outbox_write``, which also wakes the relay)."""

from __future__ import annotations

from app.db import sql
from app.db.statements import WalletReaction
from app.live.wallets import MESSAGES
from app.outbox.service import MANY

WALLET_REACTION = WalletReaction(
    "live",
    sql.load("app.live", "wallet_reaction", messages=MESSAGES.strip(), many=MANY),
    "SELECT 'live'::text, NULL::jsonb FROM live_written",
)
