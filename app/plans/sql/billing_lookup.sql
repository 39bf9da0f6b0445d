SELECT c.id AS customer_id, c.external_id, s.id AS subscription_id, s.status, s.plan_id,
       s.anchor, s.started_at, s.suspension_reason, s.threshold_amounts, s.threshold_recurring,
       s.invoiced_through, w.id AS wallet_id, w.currency, w.rate, w.balance, w.policy,
       w.overdraft_limit,
       {version} AS catalog_version
FROM unnest($1::text[]) AS wanted(external_id)
CROSS JOIN LATERAL (
  SELECT c.id, c.external_id, c.currency FROM customers c
  WHERE c.external_id = wanted.external_id LIMIT 1
) c
LEFT JOIN LATERAL (
  SELECT s.id, s.status, s.plan_id, s.anchor, s.started_at, s.suspension_reason,
         s.threshold_amounts, s.threshold_recurring, p.currency AS plan_currency,
         (SELECT bp.period_end FROM billing_periods bp
          WHERE bp.subscription_id = s.id AND bp.closed_at IS NOT NULL
          ORDER BY bp.period_start DESC LIMIT 1) AS invoiced_through
  FROM subscriptions s JOIN plans p ON p.id = s.plan_id
  WHERE s.customer_id = c.id AND s.status <> 'terminated'
  LIMIT 1
) s ON true
LEFT JOIN LATERAL (
  SELECT w.id, w.currency, w.rate, {balance} AS balance, w.policy, w.overdraft_limit
  FROM wallets w
  WHERE w.customer_id = c.id AND w.currency = coalesce(s.plan_currency, c.currency)
  LIMIT 1
) w ON true
