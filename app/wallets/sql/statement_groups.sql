-- A wallet's movements between :start and :end grouped by ledger entry kind, each split into
-- paid and free credits (a debit by the grants it drew from, an expiry or a credit by its
-- grant) and debt (what a debit drew from no grant). Reads ix_ledger_wallet_created.
WITH e AS (
  SELECT id, kind, credits, grant_id FROM ledger_entries
  WHERE wallet_id = :w AND created_at >= :start AND created_at < :end
), drawn AS (
  SELECT a.entry_id,
         sum(a.credits) FILTER (WHERE g.kind = 'paid') AS paid,
         sum(a.credits) FILTER (WHERE g.kind = 'free') AS free
  FROM e JOIN ledger_allocations a ON a.entry_id = e.id JOIN grants g ON g.id = a.grant_id
  GROUP BY a.entry_id
), split AS (
  SELECT e.kind, e.credits,
         CASE WHEN d.entry_id IS NOT NULL THEN -coalesce(d.paid, 0)
              WHEN g.kind = 'paid' THEN e.credits ELSE 0 END AS paid,
         CASE WHEN d.entry_id IS NOT NULL THEN -coalesce(d.free, 0)
              WHEN g.kind = 'free' THEN e.credits ELSE 0 END AS free
  FROM e LEFT JOIN drawn d ON d.entry_id = e.id LEFT JOIN grants g ON g.id = e.grant_id
)
SELECT kind, count(*) AS entries, sum(credits) AS credits, sum(paid) AS paid, sum(free) AS free,
       sum(credits - paid - free) AS debt
FROM split GROUP BY kind ORDER BY kind
