    SELECT (le.created_at AT TIME ZONE 'UTC')::date AS day, -sum(le.credits) AS credits
    FROM ledger_entries le JOIN wallets w ON w.id = le.wallet_id
    WHERE le.kind = 'consumption' AND le.created_at >= :since
      AND (CAST(:customer_id AS bigint) IS NULL OR w.customer_id = :customer_id)
    GROUP BY 1 ORDER BY 1
    
