-- A wallet's movements between :start and :end by ledger entry kind ('total': entries and
-- credits), and the paid and free parts of each kind: a debit by the grants it drew from
-- (ledger_allocations), a credit or an expiry by its own grant. What a debit drew from no grant
-- is debt (the caller: total − paid − free). Reads ix_ledger_wallet_created.
SELECT kind, 'total' AS part, count(*) AS entries, sum(credits) AS credits
FROM ledger_entries
WHERE wallet_id = :w AND created_at >= :start AND created_at < :end
GROUP BY kind
UNION ALL
SELECT e.kind, g.kind, 0, -sum(a.credits)
FROM ledger_entries e
JOIN ledger_allocations a ON a.entry_id = e.id
JOIN grants g ON g.id = a.grant_id
WHERE e.wallet_id = :w AND e.created_at >= :start AND e.created_at < :end
GROUP BY e.kind, g.kind
UNION ALL
SELECT e.kind, g.kind, 0, sum(e.credits)
FROM ledger_entries e
JOIN grants g ON g.id = e.grant_id
WHERE e.wallet_id = :w AND e.created_at >= :start AND e.created_at < :end
  AND e.grant_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM ledger_allocations a WHERE a.entry_id = e.id)
GROUP BY e.kind, g.kind
