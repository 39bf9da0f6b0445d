CREATE OR REPLACE FUNCTION tally_debit_many(
  p_wallets bigint[], p_credits numeric[], p_descriptions text[], p_metrics text[],
  p_units numeric[], p_labels text[], p_cause_type text, p_cause_id text, p_now timestamptz)
RETURNS TABLE (wallet_id bigint, metric_code text, entry_id bigint, balance_after numeric)
LANGUAGE plpgsql AS $fn$
DECLARE
  item record;
  current_ bigint;
  balance_ numeric;
  entries bigint[];
  amounts numeric[];
  eid bigint;
BEGIN
  FOR item IN
    SELECT * FROM unnest(p_wallets, p_credits, p_descriptions, p_metrics, p_units, p_labels)
      AS t(w, c, descr, m, u, l)
    ORDER BY w, m
  LOOP
    IF current_ IS DISTINCT FROM item.w THEN
      IF current_ IS NOT NULL THEN
        UPDATE wallets
           SET balance = balance_,
               debt = debt + tally_draw_many(current_, entries, amounts, p_now),
               updated_at = p_now
         WHERE id = current_;
      END IF;
      PERFORM 1 FROM wallets WHERE id = item.w FOR UPDATE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'wallet % does not exist', item.w USING ERRCODE = 'no_data_found';
      END IF;
      current_ := item.w;
      balance_ := tally_expire(item.w, p_now);
      entries := '{}';
      amounts := '{}';
    END IF;
    balance_ := balance_ - item.c;
    INSERT INTO ledger_entries
      (wallet_id, kind, credits, balance_after, cause_type, cause_id, description,
       metric_code, units, unit_label, created_at)
    VALUES
      (item.w, 'consumption', -item.c, balance_, p_cause_type, p_cause_id, item.descr,
       item.m, item.u, item.l, p_now)
    RETURNING id INTO eid;
    entries := entries || eid;
    amounts := amounts || item.c;
    wallet_id := item.w;
    metric_code := item.m;
    entry_id := eid;
    balance_after := balance_;
    RETURN NEXT;
  END LOOP;
  IF current_ IS NOT NULL THEN
    UPDATE wallets
       SET balance = balance_,
           debt = debt + tally_draw_many(current_, entries, amounts, p_now),
           updated_at = p_now
     WHERE id = current_;
  END IF;
END
$fn$
