-- What a wallet's consumption between :start and :end paid for, per metric (value
-- translation: "−500 credits · 50 documents analyzed").
SELECT metric_code, unit_label, sum(units) AS units, -sum(credits) AS credits, count(*) AS entries
FROM ledger_entries
WHERE wallet_id = :w AND created_at >= :start AND created_at < :end AND kind = 'consumption'
  AND metric_code IS NOT NULL
GROUP BY metric_code, unit_label ORDER BY metric_code, unit_label
