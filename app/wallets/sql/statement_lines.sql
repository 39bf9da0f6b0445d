-- Every movement of a wallet between :start and :end, oldest first, with its paid and free
-- credits (as statement_groups.sql splits them), for the statement's CSV.
SELECT e.id, e.created_at, e.kind, e.credits,
       CASE WHEN d.n > 0 THEN -d.paid WHEN g.kind = 'paid' THEN e.credits ELSE 0 END AS paid,
       CASE WHEN d.n > 0 THEN -d.free WHEN g.kind = 'free' THEN e.credits ELSE 0 END AS free,
       e.balance_after, e.description, e.metric_code, e.units, e.unit_label
FROM ledger_entries e
LEFT JOIN LATERAL (
  SELECT count(*) AS n,
         coalesce(sum(a.credits) FILTER (WHERE ag.kind = 'paid'), 0) AS paid,
         coalesce(sum(a.credits) FILTER (WHERE ag.kind = 'free'), 0) AS free
  FROM ledger_allocations a JOIN grants ag ON ag.id = a.grant_id
  WHERE a.entry_id = e.id
) d ON true
LEFT JOIN grants g ON g.id = e.grant_id
WHERE e.wallet_id = :w AND e.created_at >= :start AND e.created_at < :end
ORDER BY e.created_at, e.id
