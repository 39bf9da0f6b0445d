"""The live channel's part of the balance reactions: every changed wallet's ``wallet.updated``
message (``app.live.wallets.MESSAGES``), built by PostgreSQL and written to the outbox in one
row, which wakes the relay."""

from __future__ import annotations

from app.db.statements import WalletReaction
from app.live.wallets import MESSAGES
from app.outbox.service import CHANNEL, MANY

WALLET_REACTION = WalletReaction(
    "live",
    f"""live_changed AS ({MESSAGES}),
live_written AS (
  INSERT INTO outbox (kind, topic, payload, created_at, available_at, attempts)
  SELECT 'live', '{MANY}', jsonb_build_object('messages', jsonb_agg(
           jsonb_build_array('wallet:' || wallet_id, message) ORDER BY wallet_id)),
         :now, :now, 0
  FROM live_changed HAVING count(*) > 0
  RETURNING id
)""",
    f"SELECT 'live'::text, NULL::jsonb FROM live_written CROSS JOIN pg_notify('{CHANNEL}', '')",
)
