CREATE OR REPLACE FUNCTION tally_draw_many(
  p_wallet bigint, p_entries bigint[], p_credits numeric[], p_now timestamptz)
RETURNS numeric LANGUAGE plpgsql AS $fn$
DECLARE
  g record;
  n int := coalesce(cardinality(p_entries), 0);
  i int := 1;
  need numeric;
  take numeric;
  left_ numeric;
  uncovered numeric := 0;
  a_entries bigint[] := '{}';
  a_grants bigint[] := '{}';
  a_credits numeric[] := '{}';
BEGIN
  IF n = 0 THEN
    RETURN 0;
  END IF;
  need := p_credits[1];
  FOR g IN
    SELECT id, remaining FROM grants
    WHERE wallet_id = p_wallet AND remaining > 0
      AND (expires_at IS NULL OR expires_at > p_now)
    ORDER BY priority, expires_at NULLS LAST, kind, id
    FOR UPDATE
  LOOP
    left_ := g.remaining;
    WHILE left_ > 0 AND i <= n LOOP
      take := least(left_, need);
      a_entries := a_entries || p_entries[i];
      a_grants := a_grants || g.id;
      a_credits := a_credits || take;
      left_ := left_ - take;
      need := need - take;
      IF need = 0 THEN
        i := i + 1;
        IF i <= n THEN
          need := p_credits[i];
        END IF;
      END IF;
    END LOOP;
    UPDATE grants SET remaining = left_ WHERE id = g.id;
    EXIT WHEN i > n;
  END LOOP;
  INSERT INTO ledger_allocations (entry_id, grant_id, credits)
  SELECT * FROM unnest(a_entries, a_grants, a_credits);
  IF i <= n THEN
    uncovered := need;
    FOR j IN i + 1 .. n LOOP
      uncovered := uncovered + p_credits[j];
    END LOOP;
  END IF;
  RETURN uncovered;
END
$fn$
