UPDATE outbox SET
  state = CASE WHEN :fatal OR runs >= :max_runs THEN 'dead' ELSE 'pending' END,
  available_at = CAST(:now AS timestamptz) + make_interval(secs => :wait), last_error = :error
WHERE id = :id AND state = 'running' RETURNING state
