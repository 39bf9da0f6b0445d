CREATE OR REPLACE FUNCTION tally_draw(
  p_wallet bigint, p_entry bigint, p_credits numeric, p_now timestamptz,
  p_only_grant bigint DEFAULT NULL)
RETURNS numeric LANGUAGE plpgsql AS $fn$
DECLARE
  g record;
  left_ numeric := p_credits;
  take numeric;
BEGIN
  FOR g IN
    SELECT id, remaining FROM grants
    WHERE wallet_id = p_wallet AND remaining > 0
      AND (expires_at IS NULL OR expires_at > p_now)
      AND (p_only_grant IS NULL OR id = p_only_grant)
    ORDER BY priority, expires_at NULLS LAST, kind, id
    FOR UPDATE
  LOOP
    take := least(g.remaining, left_);
    UPDATE grants SET remaining = remaining - take WHERE id = g.id;
    INSERT INTO ledger_allocations (entry_id, grant_id, credits) VALUES (p_entry, g.id, take);
    left_ := left_ - take;
    EXIT WHEN left_ = 0;
  END LOOP;
  RETURN left_;
END
$fn$
