INSERT INTO usage_unique_values (subscription_id, metric_id, period_start, value)
SELECT s, m, p, v FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::text[])
  WITH ORDINALITY AS t(s, m, p, v, n)
ORDER BY n
ON CONFLICT DO NOTHING
RETURNING subscription_id, metric_id, period_start
