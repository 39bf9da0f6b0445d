WITH batch AS (
  INSERT INTO event_batches (source, api_key_id, received_at) VALUES ($1, $2, $3) RETURNING id
), stored AS (
  INSERT INTO events (batch_id, transaction_id, customer_id, metric_id, timestamp, properties)
  SELECT batch.id, t.tid, t.cid, t.mid, t.ts, t.props::jsonb
  FROM batch, unnest($4::text[], $5::bigint[], $6::bigint[], $7::timestamptz[], $8::text[])
    WITH ORDINALITY AS t(tid, cid, mid, ts, props, n)
  ORDER BY t.n
  ON CONFLICT (transaction_id) DO NOTHING
  RETURNING transaction_id
)
SELECT (SELECT id FROM batch) AS batch_id,
       CASE WHEN count(*) < cardinality($4::text[])
         THEN coalesce(array_agg(transaction_id), '{}') END AS new
FROM stored
