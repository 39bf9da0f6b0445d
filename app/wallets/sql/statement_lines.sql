-- Every movement of a wallet between :start and :end, oldest first, with its paid and free
-- credits (as statement_groups.sql splits them), for the statement's CSV.
WITH e AS (
  SELECT id, kind, credits, balance_after, grant_id, description, metric_code, units,
         unit_label, created_at
  FROM ledger_entries
  WHERE wallet_id = :w AND created_at >= :start AND created_at < :end
), drawn AS (
  SELECT a.entry_id,
         sum(a.credits) FILTER (WHERE g.kind = 'paid') AS paid,
         sum(a.credits) FILTER (WHERE g.kind = 'free') AS free
  FROM e JOIN ledger_allocations a ON a.entry_id = e.id JOIN grants g ON g.id = a.grant_id
  GROUP BY a.entry_id
)
SELECT e.id, e.created_at, e.kind, e.credits,
       CASE WHEN d.entry_id IS NOT NULL THEN -coalesce(d.paid, 0)
            WHEN g.kind = 'paid' THEN e.credits ELSE 0 END AS paid,
       CASE WHEN d.entry_id IS NOT NULL THEN -coalesce(d.free, 0)
            WHEN g.kind = 'free' THEN e.credits ELSE 0 END AS free,
       e.balance_after, e.description, e.metric_code, e.units, e.unit_label
FROM e LEFT JOIN drawn d ON d.entry_id = e.id LEFT JOIN grants g ON g.id = e.grant_id
ORDER BY e.created_at, e.id
