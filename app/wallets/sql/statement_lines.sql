-- Every movement of a wallet between :start and :end, oldest first, with its paid and free
-- credits (as statement_groups.sql splits them), for the statement's CSV.
SELECT e.id, e.created_at, e.kind, e.credits,
       CASE WHEN count(a.entry_id) > 0
            THEN -coalesce(sum(a.credits) FILTER (WHERE ag.kind = 'paid'), 0)
            WHEN g.kind = 'paid' THEN e.credits ELSE 0 END AS paid,
       CASE WHEN count(a.entry_id) > 0
            THEN -coalesce(sum(a.credits) FILTER (WHERE ag.kind = 'free'), 0)
            WHEN g.kind = 'free' THEN e.credits ELSE 0 END AS free,
       e.balance_after, e.description, e.metric_code, e.units, e.unit_label
FROM ledger_entries e
LEFT JOIN ledger_allocations a ON a.entry_id = e.id
LEFT JOIN grants ag ON ag.id = a.grant_id
LEFT JOIN grants g ON g.id = e.grant_id
WHERE e.wallet_id = :w AND e.created_at >= :start AND e.created_at < :end
GROUP BY e.id, g.kind
ORDER BY e.created_at, e.id
