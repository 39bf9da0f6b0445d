CREATE OR REPLACE FUNCTION tally_debit(
  p_wallet bigint, p_credits numeric, p_kind text, p_cause_type text, p_cause_id text,
  p_description text, p_metric text, p_units numeric, p_unit_label text, p_now timestamptz,
  p_only_grant bigint DEFAULT NULL, p_allow_debt boolean DEFAULT true,
  OUT entry_id bigint, OUT balance_after numeric, OUT shortfall numeric)
LANGUAGE plpgsql AS $fn$
DECLARE
  g record;
  available numeric;
  left_ numeric := p_credits;
  take numeric;
  eid bigint;
BEGIN
  PERFORM 1 FROM wallets WHERE id = p_wallet FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'wallet % does not exist', p_wallet USING ERRCODE = 'no_data_found';
  END IF;
  balance_after := tally_expire(p_wallet, p_now) - p_credits;
  IF NOT p_allow_debt THEN
    SELECT coalesce(sum(remaining), 0) INTO available FROM grants
    WHERE wallet_id = p_wallet AND remaining > 0
      AND (expires_at IS NULL OR expires_at > p_now)
      AND (p_only_grant IS NULL OR id = p_only_grant);
    IF available < p_credits THEN
      shortfall := p_credits - available;
      balance_after := balance_after + p_credits;
      RETURN;
    END IF;
  END IF;
  INSERT INTO ledger_entries
    (wallet_id, kind, credits, balance_after, grant_id, cause_type, cause_id, description,
     metric_code, units, unit_label, created_at)
  VALUES
    (p_wallet, p_kind, -p_credits, balance_after, p_only_grant, p_cause_type, p_cause_id,
     p_description, p_metric, p_units, p_unit_label, p_now)
  RETURNING id INTO eid;
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
    INSERT INTO ledger_allocations (entry_id, grant_id, credits) VALUES (eid, g.id, take);
    left_ := left_ - take;
    EXIT WHEN left_ = 0;
  END LOOP;
  UPDATE wallets
     SET balance = balance - p_credits, debt = debt + left_, updated_at = p_now
   WHERE id = p_wallet;
  shortfall := 0;
  entry_id := eid;
END
$fn$
