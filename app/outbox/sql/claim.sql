WITH due AS (
  SELECT id, state AS was FROM outbox
  WHERE {open} AND available_at <= $1
  ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED
)
UPDATE outbox o SET
  state = CASE WHEN o.kind = 'live' THEN 'done'
               WHEN due.was = 'running' AND o.runs >= $5 THEN 'dead'
               ELSE 'relayed' END,
  done_at = CASE WHEN o.kind = 'live' THEN $1 END,
  dispatched_at = $1,
  attempts = o.attempts + 1,
  last_error = CASE WHEN due.was = 'running' AND o.runs >= $5
                    THEN 'gave up: started ' || o.runs || ' times, never finished'
                    ELSE o.last_error END,
  available_at = $1 + interval '1 second' * COALESCE(
      ($3::jsonb ->> o.topic)::float8, ($3::jsonb ->> split_part(o.topic, '.', 1))::float8, $4
    ) * CASE WHEN due.was = 'relayed' THEN 2 ^ least(o.attempts, 2) ELSE 1 END
FROM due WHERE o.id = due.id
RETURNING o.id, o.kind, o.topic, o.payload::text AS payload, o.attempts, o.state, due.was
