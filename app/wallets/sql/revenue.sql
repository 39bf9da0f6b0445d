-- The revenue report's movements: every grant's credits leaving it, valued at the grant's cost
-- basis pro rata, cumulatively (app.money.share): the credits gone from a grant after a
-- movement are worth round_half_up(cost × gone / amount), and the movement is worth the
-- difference it made — so a paid grant's movements add up to exactly its cost.
-- A movement is an allocation of a debit (consumption, void, refund, rollover), an expiry, the
-- part of a grant that paid earlier debt (recognized when granted, entry 0), or an expiry due
-- at :now that no write has recorded yet (as reads do, app.wallets.balances).
-- Returns, per month (UTC), currency, grant kind and class: credits and value (minor units);
-- class 'sold' for grants created in the month, and the 'opening' deferred before :start.
WITH g AS (
  SELECT g.id, g.kind, g.source, g.amount, g.remaining, g.expires_at, g.created_at,
         coalesce(g.cost_minor, 0) AS cost, w.currency
  FROM grants g JOIN wallets w ON w.id = g.wallet_id
  WHERE g.created_at < :end AND (CAST(:currency AS text) IS NULL OR w.currency = :currency)
), drawn AS (
  SELECT a.grant_id, e.id AS entry_id, e.kind::text AS kind, e.created_at, a.credits
  FROM g JOIN ledger_allocations a ON a.grant_id = g.id JOIN ledger_entries e ON e.id = a.entry_id
  UNION ALL
  SELECT e.grant_id, e.id, 'expiry', e.created_at, -e.credits
  FROM g JOIN ledger_entries e ON e.grant_id = g.id AND e.kind = 'expiry'
), debt AS (
  SELECT g.id AS grant_id, 0::bigint AS entry_id, 'debt' AS kind, g.created_at,
         g.amount - g.remaining - coalesce(sum(d.credits), 0) AS credits
  FROM g LEFT JOIN drawn d ON d.grant_id = g.id
  GROUP BY g.id, g.created_at, g.amount, g.remaining
), due AS (
  SELECT g.id AS grant_id, 9223372036854775807 AS entry_id, 'expiry' AS kind,
         g.expires_at AS created_at, g.remaining AS credits
  FROM g WHERE g.remaining > 0 AND g.expires_at <= :now
), moves AS (
  SELECT * FROM drawn UNION ALL SELECT * FROM debt WHERE credits > 0 UNION ALL SELECT * FROM due
), cumulative AS (
  SELECT m.*, g.kind AS grant_kind, g.currency, g.cost, g.amount,
         sum(m.credits) OVER (PARTITION BY m.grant_id ORDER BY m.entry_id
                              ROWS UNBOUNDED PRECEDING) AS gone
  FROM moves m JOIN g ON g.id = m.grant_id
), valued AS (
  SELECT created_at, currency, grant_kind, credits,
         CASE kind WHEN 'consumption' THEN 'recognized' WHEN 'debt' THEN 'recognized'
                   WHEN 'expiry' THEN 'breakage' WHEN 'refund' THEN 'refunded'
                   WHEN 'rollover' THEN 'rolled_out' ELSE 'voided' END AS class,
         CASE WHEN grant_kind = 'paid' THEN
           round(cost * gone / amount) - round(cost * (gone - credits) / amount)
         ELSE 0 END AS value
  FROM cumulative
  WHERE created_at < :end
)
SELECT date_trunc('month', created_at AT TIME ZONE 'UTC') AS month, currency, grant_kind,
       class, sum(credits) AS credits, sum(value)::bigint AS value
FROM valued WHERE created_at >= :start
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT date_trunc('month', created_at AT TIME ZONE 'UTC'), currency, kind,
       CASE WHEN source = 'rollover' THEN 'rolled_in' ELSE 'sold' END,
       sum(amount), sum(cost)::bigint
FROM g WHERE created_at >= :start
GROUP BY 1, 2, 3, 4
UNION ALL
SELECT NULL, currency, grant_kind, 'opening', sum(credits), sum(value)::bigint
FROM (
  SELECT currency, kind AS grant_kind, amount AS credits, cost AS value
  FROM g WHERE created_at < :start
  UNION ALL
  SELECT currency, grant_kind, -credits, -value FROM valued WHERE created_at < :start
) before
GROUP BY 2, 3
