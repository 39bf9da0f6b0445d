WITH c AS (
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])
    AS c(period_id, level, usage, billed)
),
marked AS (
  UPDATE billing_periods AS b SET level_minor = c.level, billed_minor = c.usage, updated_at = $5
  FROM c WHERE b.id = c.period_id
),
crossed AS (
  INSERT INTO threshold_crossings
    (period_id, level_minor, usage_minor, billed_before_minor, usage, created_at)
  SELECT c.period_id, c.level, c.usage, c.billed,
    (SELECT coalesce(jsonb_agg(jsonb_build_object(
        'metric_id', u.metric_id, 'quantity', u.quantity::text, 'events', u.events,
        'amount_minor', u.money_minor) ORDER BY u.metric_id), '[]'::jsonb)
     FROM billing_periods p JOIN subscription_usage u
       ON u.subscription_id = p.subscription_id AND u.period_start = p.period_start
     WHERE p.id = c.period_id AND u.money_minor <> 0),
    $5
  FROM c ORDER BY c.period_id
  ON CONFLICT (period_id, level_minor) DO NOTHING
  RETURNING id
),
queued AS (
  SELECT tally_outbox_write('job', '{actor}', jsonb_build_object('crossing_id', id), $5, $5)
  FROM (SELECT id FROM crossed ORDER BY id) AS x
)
SELECT count(*) AS queued FROM queued
