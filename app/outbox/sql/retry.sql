UPDATE outbox SET state = 'pending', done_at = NULL, last_error = t.error,
                  available_at = $1::timestamptz + t.wait * interval '1 second'
FROM unnest($2::bigint[], $3::text[], $4::int[]) AS t(id, error, wait)
WHERE outbox.id = t.id
