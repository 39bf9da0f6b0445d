CREATE OR REPLACE FUNCTION tally_rollover(p_wallets bigint[], p_now timestamptz)
RETURNS TABLE (wallet_id bigint, moved boolean) LANGUAGE plpgsql AS $fn$
BEGIN
  -- Lock order: wallets in id order; a wallet's grants only under its lock. Locked in a
  -- statement of its own, so the next one reads the grants as they are after the lock.
  PERFORM 1 FROM wallets w0 JOIN unnest(p_wallets) AS ids(id) ON ids.id = w0.id
    WHERE w0.next_boundary <= p_now ORDER BY w0.id FOR UPDATE OF w0;
  RETURN QUERY
  WITH w AS MATERIALIZED (
    SELECT x.id, x.balance, x.next_boundary AS b, x.boundary_index AS k, x.rollover_policy,
           x.rollover_months, x.rollover_cap
    FROM wallets x JOIN unnest(p_wallets) AS ids(id) ON ids.id = x.id
    WHERE x.next_boundary <= p_now
  ),
  subject AS (
    SELECT g.id, g.wallet_id, w.b, w.k, g.kind, g.source, g.remaining, g.amount, g.cost_minor,
           g.priority, g.expires_at, g.rolled_from, g.rollover_policy AS own_policy,
           g.rollover_months AS own_months, g.rollover_cap AS own_cap,
           coalesce(g.rollover_policy, w.rollover_policy) AS policy,
           CASE WHEN g.rollover_policy IS NULL THEN w.rollover_months ELSE g.rollover_months END
             AS months,
           CASE WHEN g.rollover_policy IS NULL THEN w.rollover_cap ELSE g.rollover_cap END AS cap,
           CASE WHEN g.rollover_policy IS NULL THEN 0 ELSE g.id END AS pool,
           coalesce(o.created_at, g.created_at) AS origin
    FROM w JOIN grants g ON g.wallet_id = w.id
    LEFT JOIN grants o ON o.id = g.rolled_from
    WHERE g.remaining > 0 AND g.created_at < w.b AND (g.expires_at IS NULL OR g.expires_at > w.b)
      AND coalesce(g.rollover_policy, w.rollover_policy) IS NOT NULL
  ),
  judged AS (
    SELECT s.*,
           CASE s.policy
             WHEN 'expire_at_period_end' THEN NULL
             WHEN 'rollover_with_expiry' THEN
               (s.origin AT TIME ZONE 'UTC' + make_interval(months => s.months)) AT TIME ZONE 'UTC'
             ELSE 'infinity'::timestamptz
           END AS until_
    FROM subject s
  ),
  alive AS (
    SELECT j.*, coalesce(j.until_ > j.b, false) AS lives FROM judged j
  ),
  capped AS (
    SELECT a.*,
           CASE
             WHEN NOT a.lives THEN 0
             WHEN a.cap IS NULL THEN a.remaining
             ELSE greatest(0, least(a.remaining, a.cap - (sum(
               CASE WHEN a.lives THEN a.remaining ELSE 0 END) OVER fifo - a.remaining)))
           END AS keep
    FROM alive a
    WINDOW fifo AS (PARTITION BY a.wallet_id, a.pool ORDER BY a.origin, a.id)
  ),
  plan AS MATERIALIZED (
    SELECT c.*, c.remaining - c.keep AS expired,
           (c.keep > 0 AND c.rolled_from IS NULL) AS rolls,
           CASE WHEN c.keep > 0 AND c.rolled_from IS NULL THEN nextval('grants_id_seq') END
             AS new_id,
           least(nullif(c.until_, 'infinity'), c.expires_at) AS new_expiry
    FROM capped c
  ),
  moves AS (
    SELECT p.wallet_id, p.b, p.k, p.origin, p.id AS gid, 1 AS step, p.id AS grant_id,
           'expiry' AS kind, -p.expired AS credits,
           format('%s %s credits expired at the period end: %s (%s grant #%s)',
                  trim_scale(p.expired), p.kind,
                  CASE
                    WHEN p.policy = 'expire_at_period_end' THEN 'use it or lose it'
                    WHEN NOT p.lives THEN format('%s months after they were granted', p.months)
                    ELSE format('above the rollover cap of %s credits', trim_scale(p.cap))
                  END,
                  replace(p.source, '_', ' '), p.id) AS description
    FROM plan p WHERE p.expired > 0
    UNION ALL
    SELECT p.wallet_id, p.b, p.k, p.origin, p.id, 2, p.id, 'rollover', -p.keep,
           format('%s %s credits rolled over to grant #%s', trim_scale(p.keep), p.kind, p.new_id)
    FROM plan p WHERE p.rolls
    UNION ALL
    SELECT p.wallet_id, p.b, p.k, p.origin, p.id, 3, p.new_id, 'rollover', p.keep,
           format('+%s %s credits rolled over from grant #%s · %s', trim_scale(p.keep), p.kind,
                  p.id,
                  CASE WHEN p.new_expiry IS NULL THEN 'no expiry'
                       ELSE 'expire ' || to_char(p.new_expiry AT TIME ZONE 'UTC', 'FMDD Mon YYYY')
                  END)
    FROM plan p WHERE p.rolls
  ),
  new_grants AS (
    INSERT INTO grants (id, wallet_id, kind, source, amount, remaining, priority, expires_at,
                        cost_minor, description, rollover_policy, rollover_months, rollover_cap,
                        rolled_from, created_at)
    SELECT p.new_id, p.wallet_id, p.kind, 'rollover', p.keep, p.keep, p.priority, p.new_expiry,
           round(p.cost_minor * p.keep / p.amount), format('Rolled over from grant #%s', p.id),
           p.own_policy, p.own_months, p.own_cap, p.id, p.b
    FROM plan p WHERE p.rolls
    RETURNING 1
  ),
  old_grants AS (
    UPDATE grants g
       SET remaining = g.remaining - p.expired - CASE WHEN p.rolls THEN p.keep ELSE 0 END
      FROM plan p
     WHERE g.id = p.id AND (p.expired > 0 OR p.rolls)
    RETURNING 1
  ),
  entries AS (
    INSERT INTO ledger_entries
      (wallet_id, kind, credits, balance_after, grant_id, cause_type, cause_id, description,
       created_at)
    SELECT m.wallet_id, m.kind, m.credits,
           w.balance + sum(m.credits) OVER (
             PARTITION BY m.wallet_id ORDER BY m.origin, m.gid, m.step),
           m.grant_id, 'system', format('period:%s', m.k), m.description, m.b
    FROM moves m JOIN w ON w.id = m.wallet_id
    ORDER BY m.wallet_id, m.origin, m.gid, m.step
    RETURNING 1
  ),
  totals AS (
    SELECT p.wallet_id, sum(p.expired) AS expired FROM plan p GROUP BY p.wallet_id
  ),
  advanced AS (
    UPDATE wallets x
       SET balance = x.balance - coalesce(t.expired, 0),
           boundary_index = x.boundary_index + 1,
           next_boundary = (x.period_anchor AT TIME ZONE 'UTC'
                            + make_interval(months => (x.boundary_index + 1) * x.period_months))
                           AT TIME ZONE 'UTC',
           updated_at = CASE WHEN coalesce(t.expired, 0) > 0 THEN greatest(x.updated_at, w.b)
                             ELSE x.updated_at END
      FROM w LEFT JOIN totals t ON t.wallet_id = w.id
     WHERE x.id = w.id
    RETURNING x.id, x.balance
  )
  -- moved: the balance changed (credits expired), for the balance reactions.
  SELECT a.id, a.balance <> w.balance
  FROM advanced a JOIN w ON w.id = a.id;
END
$fn$
