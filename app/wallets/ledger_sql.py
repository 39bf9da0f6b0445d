"""The ledger's write path for debits and expiry, as PostgreSQL functions.

They are created by a migration (so Alembic owns them) and called by ``app.wallets.ledger``.
Both run under the wallet's row lock and keep the invariant
``balance == sum(ledger) == sum(remaining grants) - debt``.

tally_expire(wallet, now) -> balance
    Zeroes every grant of the wallet that expired at or before ``now``, one ``expiry`` entry each.
tally_debit(wallet, credits, kind, cause_type, cause_id, description, metric, units, label,
            now, only_grant, allow_debt) -> (entry_id, balance_after, shortfall)
    Expires due grants, then draws ``credits`` from grants in burn order (priority, earliest
    expiry, free before paid, oldest), recording each draw in ledger_allocations. What the
    grants cannot cover becomes debt when ``allow_debt``; otherwise nothing is written and
    ``shortfall`` says how much was missing (entry_id is NULL).
tally_debit_many(wallets[], credits[], descriptions[], metrics[], units[], labels[],
                 cause_type, cause_id, now) -> setof (wallet_id, metric_code, entry_id,
                 balance_after)
    Consumption debits of an event batch, one per (wallet, metric), in wallet id order (so
    concurrent batches cannot deadlock): each wallet is locked and expired once, each debit
    gets its own ledger entry, and the wallet row is written once.
tally_draw(wallet, entry, credits, now, only_grant) -> what the grants could not cover
    The burn order itself, shared by both debits: draws from the usable grants (priority,
    earliest expiry, free before paid, oldest) and records each draw for the entry.
"""

EXPIRE = r"""
CREATE OR REPLACE FUNCTION tally_expire(p_wallet bigint, p_now timestamptz)
RETURNS numeric LANGUAGE plpgsql AS $fn$
DECLARE
  g record;
  bal numeric;
BEGIN
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
"""

DRAW = r"""
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
"""

DEBIT = r"""
CREATE OR REPLACE FUNCTION tally_debit(
  p_wallet bigint, p_credits numeric, p_kind text, p_cause_type text, p_cause_id text,
  p_description text, p_metric text, p_units numeric, p_unit_label text, p_now timestamptz,
  p_only_grant bigint DEFAULT NULL, p_allow_debt boolean DEFAULT true,
  OUT entry_id bigint, OUT balance_after numeric, OUT shortfall numeric)
LANGUAGE plpgsql AS $fn$
DECLARE
  available numeric;
  left_ numeric;
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
  left_ := tally_draw(p_wallet, eid, p_credits, p_now, p_only_grant);
  UPDATE wallets
     SET balance = balance - p_credits, debt = debt + left_, updated_at = p_now
   WHERE id = p_wallet;
  shortfall := 0;
  entry_id := eid;
END
$fn$
"""

CREATE_FUNCTIONS = [EXPIRE, DRAW, DEBIT]

DROP_FUNCTIONS = [
    "DROP FUNCTION IF EXISTS tally_debit(bigint, numeric, text, text, text, text, text, numeric,"
    " text, timestamptz, bigint, boolean)",
    "DROP FUNCTION IF EXISTS tally_draw(bigint, bigint, numeric, timestamptz, bigint)",
    "DROP FUNCTION IF EXISTS tally_expire(bigint, timestamptz)",
]

# The event hot path's debits, as migration 0002 made them (which also moved the burn order of
# tally_debit into tally_draw). Migration 0008 replaces them with DEBIT_MANY below.
DEBIT_MANY_0002 = r"""
CREATE OR REPLACE FUNCTION tally_debit_many(
  p_wallets bigint[], p_credits numeric[], p_descriptions text[], p_metrics text[],
  p_units numeric[], p_labels text[], p_cause_type text, p_cause_id text, p_now timestamptz)
RETURNS TABLE (wallet_id bigint, metric_code text, entry_id bigint, balance_after numeric)
LANGUAGE plpgsql AS $fn$
DECLARE
  item record;
  current_ bigint;
  balance_ numeric;
  debt_ numeric;
  eid bigint;
BEGIN
  FOR item IN
    SELECT * FROM unnest(p_wallets, p_credits, p_descriptions, p_metrics, p_units, p_labels)
      AS t(w, c, descr, m, u, l)
    ORDER BY w, m
  LOOP
    IF current_ IS DISTINCT FROM item.w THEN
      IF current_ IS NOT NULL THEN
        UPDATE wallets SET balance = balance_, debt = debt + debt_, updated_at = p_now
         WHERE id = current_;
      END IF;
      PERFORM 1 FROM wallets WHERE id = item.w FOR UPDATE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'wallet % does not exist', item.w USING ERRCODE = 'no_data_found';
      END IF;
      current_ := item.w;
      balance_ := tally_expire(item.w, p_now);
      debt_ := 0;
    END IF;
    balance_ := balance_ - item.c;
    INSERT INTO ledger_entries
      (wallet_id, kind, credits, balance_after, cause_type, cause_id, description,
       metric_code, units, unit_label, created_at)
    VALUES
      (item.w, 'consumption', -item.c, balance_, p_cause_type, p_cause_id, item.descr,
       item.m, item.u, item.l, p_now)
    RETURNING id INTO eid;
    debt_ := debt_ + tally_draw(item.w, eid, item.c, p_now);
    wallet_id := item.w;
    metric_code := item.m;
    entry_id := eid;
    balance_after := balance_;
    RETURN NEXT;
  END LOOP;
  IF current_ IS NOT NULL THEN
    UPDATE wallets SET balance = balance_, debt = debt + debt_, updated_at = p_now
     WHERE id = current_;
  END IF;
END
$fn$
"""

# Run by migration 0002 on databases made before it (CREATE OR REPLACE: harmless on new ones).
CREATE_BATCH_FUNCTIONS = [DRAW, DEBIT, DEBIT_MANY_0002]

DROP_BATCH_FUNCTIONS = [
    "DROP FUNCTION IF EXISTS tally_debit_many(bigint[], numeric[], text[], text[], numeric[],"
    " text[], text, text, timestamptz)",
]

# Migration 0008: a wallet's debits of one batch draw from its grants in ONE pass. The entries
# are written first (each with its running balance), then tally_draw_many walks the usable
# grants once in burn order, splitting them between the entries in order (so the allocations
# are exactly those of one tally_draw per entry), writes every allocation in one INSERT and
# each grant it drew from once. What the grants cannot cover becomes debt.
DRAW_MANY = r"""
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
"""

DEBIT_MANY = r"""
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
"""

DROP_DRAW_MANY = "DROP FUNCTION IF EXISTS tally_draw_many(bigint, bigint[], numeric[], timestamptz)"
