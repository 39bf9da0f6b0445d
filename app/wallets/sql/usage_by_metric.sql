    SELECT le.metric_code AS metric_code, max(le.unit_label) AS unit_label,
           coalesce(sum(le.units), 0) AS units, -sum(le.credits) AS credits
    FROM ledger_entries le JOIN wallets w ON w.id = le.wallet_id
    WHERE le.kind = 'consumption' AND le.metric_code IS NOT NULL
      AND le.created_at >= :since AND w.customer_id = :customer_id
    GROUP BY le.metric_code ORDER BY credits DESC, le.metric_code
    
