WITH inserted AS (
  INSERT INTO in_advance_fees
    (subscription_id, batch_id, period_start, period_end, fees, created_at)
  SELECT s, $1, p, e, f::jsonb, $6
  FROM unnest($2::bigint[], $3::timestamptz[], $4::timestamptz[], $5::text[])
    WITH ORDINALITY AS t(s, p, e, f, n)
  ORDER BY n
  ON CONFLICT (subscription_id, batch_id, period_start) DO NOTHING
  RETURNING id
),
queued AS (
  SELECT tally_outbox_write('job', '{actor}', jsonb_build_object('fees_id', id), $6, $6)
  FROM (SELECT id FROM inserted ORDER BY id) AS x
)
SELECT count(*) AS queued FROM queued
