WITH priced AS (
  UPDATE subscription_usage AS u SET money_minor = t.a
  FROM unnest($1::bigint[], $2::bigint[], $3::timestamptz[], $4::bigint[]) AS t(s, m, p, a)
  WHERE u.subscription_id = t.s AND u.metric_id = t.m AND u.period_start = t.p
)
INSERT INTO billing_periods AS b
  (subscription_id, period_start, period_end, usage_minor, billed_minor, level_minor,
   created_at, updated_at)
SELECT s, p, e, d, 0, 0, $9, $9
FROM unnest($5::bigint[], $6::timestamptz[], $7::timestamptz[], $8::bigint[])
  WITH ORDINALITY AS t(s, p, e, d, n)
ORDER BY n
ON CONFLICT (subscription_id, period_start) DO UPDATE
  SET usage_minor = b.usage_minor + excluded.usage_minor, updated_at = excluded.updated_at
RETURNING id, subscription_id, period_start, usage_minor, billed_minor, level_minor,
  closed_at IS NOT NULL AS closed
