-- Grants with credits left that expire within one of their wallet's lead times and have no
-- notice for it yet, a batch after :after (grant id order); with the credits ahead of each in
-- burn order and the wallet's credits consumed over the runway window.
WITH leads AS (
  SELECT g.id AS grant_id, g.wallet_id, g.remaining, g.expires_at, g.priority, g.kind,
         array_agg(l.days ORDER BY l.days) AS lead_days,
         coalesce(ns.runway_window_days, :window) AS window_days
  FROM grants g
  LEFT JOIN notice_settings ns ON ns.wallet_id = g.wallet_id
  CROSS JOIN LATERAL unnest(coalesce(ns.expiry_lead_days, CAST(:leads AS integer[]))) AS l(days)
  WHERE g.id > :after AND g.remaining > 0 AND g.expires_at > :now
    AND g.expires_at <= :now + make_interval(days => l.days)
    AND NOT EXISTS (SELECT 1 FROM expiry_notices n
                    WHERE n.grant_id = g.id AND n.lead_days = l.days)
  GROUP BY g.id, ns.runway_window_days
  ORDER BY g.id LIMIT :limit
)
SELECT s.*, w.customer_id, w.currency,
       coalesce((SELECT sum(a.remaining) FROM grants a
                 WHERE a.wallet_id = s.wallet_id AND a.remaining > 0
                   AND (a.expires_at IS NULL OR a.expires_at > :now)
                   AND (a.priority, a.expires_at, a.kind, a.id)
                       < (s.priority, s.expires_at, s.kind, s.grant_id)), 0) AS ahead,
       coalesce((SELECT -sum(le.credits) FROM ledger_entries le
                 WHERE le.wallet_id = s.wallet_id AND le.kind = 'consumption'
                   AND le.created_at > :now - make_interval(days => s.window_days)
                   AND le.created_at <= :now), 0) AS consumed
FROM leads s JOIN wallets w ON w.id = s.wallet_id
ORDER BY s.grant_id
