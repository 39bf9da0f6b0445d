CREATE OR REPLACE FUNCTION tally_expire(p_wallet bigint, p_now timestamptz)
RETURNS numeric LANGUAGE plpgsql AS $fn$
DECLARE
  g record;
  bal numeric;
BEGIN
  -- Period boundaries first, each at its own moment (tally_rollover), then the due grants.
  WHILE EXISTS (SELECT 1 FROM wallets WHERE id = p_wallet AND next_boundary <= p_now) LOOP
    PERFORM tally_rollover(ARRAY[p_wallet], p_now);
  END LOOP;
  SELECT balance INTO bal FROM wallets WHERE id = p_wallet;
  FOR g IN
    SELECT id, remaining, source FROM grants
    WHERE wallet_id = p_wallet AND remaining > 0 AND expires_at <= p_now
    ORDER BY expires_at, id FOR UPDATE
  LOOP
    UPDATE grants SET remaining = 0 WHERE id = g.id;
    bal := bal - g.remaining;
    INSERT INTO ledger_entries
      (wallet_id, kind, credits, balance_after, grant_id, cause_type, description, created_at)
    VALUES
      (p_wallet, 'expiry', -g.remaining, bal, g.id, 'system',
       format('%s credits expired (%s grant #%s)', trim_scale(g.remaining),
              replace(g.source, '_', ' '), g.id),
       p_now);
    UPDATE wallets SET balance = bal, updated_at = p_now WHERE id = p_wallet;
  END LOOP;
  RETURN bal;
END
$fn$
