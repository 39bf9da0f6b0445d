-- A batch of wallets after :after (id order): the balance now, the credits consumed over each
-- one's window, its runway terms, and whether its runway alert has fired.
WITH subject AS (
  SELECT w.id AS wallet_id, w.customer_id, w.currency,
         w.balance - {due} AS balance,
         coalesce(ns.runway_threshold_days, :threshold) AS threshold_days,
         coalesce(ns.runway_window_days, :window) AS window_days
  FROM wallets w LEFT JOIN notice_settings ns ON ns.wallet_id = w.id
  WHERE w.id > :after AND (CAST(:only AS bigint) IS NULL OR w.id = :only)
  ORDER BY w.id LIMIT :limit
)
SELECT s.*,
       coalesce((SELECT -sum(le.credits) FROM ledger_entries le
                 WHERE le.wallet_id = s.wallet_id AND le.kind = 'consumption'
                   AND le.created_at > :now - make_interval(days => s.window_days)
                   AND le.created_at <= :now), 0) AS consumed,
       rs.wallet_id IS NOT NULL AS fired
FROM subject s LEFT JOIN runway_states rs ON rs.wallet_id = s.wallet_id
ORDER BY s.wallet_id
