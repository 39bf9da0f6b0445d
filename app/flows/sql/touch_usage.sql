INSERT INTO subscription_usage AS u
  (subscription_id, metric_id, period_start, quantity, billed, credits, events, money_minor,
   updated_at)
SELECT s, m, p, 0, 0, 0, 0, 0, $4
FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[]) WITH ORDINALITY AS t(s, m, p, n)
ORDER BY n
ON CONFLICT (subscription_id, metric_id, period_start) DO UPDATE SET updated_at = u.updated_at
RETURNING subscription_id, metric_id, period_start, greatest(quantity, billed) AS reached, events
