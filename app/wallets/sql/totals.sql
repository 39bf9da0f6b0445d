    WITH due AS (
      SELECT wallet_id, sum(remaining) AS credits FROM grants
      WHERE remaining > 0 AND expires_at <= :now GROUP BY wallet_id
    ), now_ AS (
      SELECT w.currency, w.rate, w.debt, w.balance - coalesce(d.credits, 0) AS balance
      FROM wallets w LEFT JOIN due d ON d.wallet_id = w.id
    )
    SELECT currency, count(*) AS wallets,
           coalesce(sum(greatest(balance, 0)), 0) AS outstanding,
           coalesce(sum(debt), 0) AS debt,
           coalesce(sum(greatest(balance, 0) * rate), 0) AS value
    FROM now_ GROUP BY currency ORDER BY currency
    
