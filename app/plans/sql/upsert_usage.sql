INSERT INTO subscription_usage AS u
  (subscription_id, metric_id, period_start, quantity, billed, credits, events, money_minor,
   latest_at, updated_at)
SELECT s, m, p, q, 0, 0, e, 0, at, $7
FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::numeric[], $5::bigint[],
            $6::timestamptz[])
  WITH ORDINALITY AS t(s, m, p, q, e, at, n)
ORDER BY n
ON CONFLICT (subscription_id, metric_id, period_start) DO UPDATE
  SET {fold}, events = u.events + excluded.events, updated_at = $7
RETURNING subscription_id, metric_id, period_start, quantity, billed, events, money_minor,
  accrued
